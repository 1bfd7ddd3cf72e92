"""Words, names and prose. Paragraphs are generated once per account and reused, so a ticket's description of a few
thousand characters costs a join, not thousands of random draws."""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Aaliyah Aarav Abigail Adam Ahmed Aiko Alejandro Alex Alice Amara Amelia Ana Andrei Anika Arjun Ava Beatriz Ben "
    "Bianca Bruno Camila Carlos Charlotte Chen Chloe Chris Clara Daniel David Diego Dmitri Elena Eli Emily Emma Ethan "
    "Fatima Felix Finn Freya Gabriel Grace Hana Hannah Harper Hiro Hugo Ines Isabella Isla Ivan Jack Jada James Javier "
    "Jin Joao Jonas Jose Julia Kai Karim Kate Kenji Laila Lars Laura Leah Leo Lina Lucas Lucia Luis Maya Mateo Mei "
    "Mia Mohammed Nadia Nia Noah Nora Oliver Olivia Omar Oscar Paula Pedro Priya Rafael Ravi Rosa Ryan Sakura Samuel "
    "Sara Sofia Sophie Tariq Theo Tomas Valentina Victor Wei Yara Yusuf Zara Zoe"
).split()
LAST_NAMES = (
    "Abbott Adeyemi Alvarez Andersen Bauer Becker Bianchi Brown Carter Castro Chen Costa Cruz Dubois Duarte Edwards "
    "Eriksson Fernandes Fischer Fontaine Garcia Gomez Gupta Hansen Hoffmann Horvat Ibrahim Ito Jansen Johnson Kaur Kim "
    "Kowalski Kumar Larsen Laurent Lee Lindqvist Lopez Martin Martins Meyer Moreau Muller Murphy Nakamura Nguyen "
    "Novak Okafor Olsen Ortiz Park Patel Perez Petrov Popescu Quinn Ramos Reyes Rossi Russo Sato Schmidt Silva Singh "
    "Smith Sousa Suzuki Tanaka Taylor Thompson Torres Tran Vargas Virtanen Wagner Walker Wang Weber Williams Wilson "
    "Wong Yamamoto Yilmaz Zhang Zimmermann"
).split()
COMPANY_WORDS = (
    "Acorn Apex Arbor Atlas Aurora Beacon Birch Blue Bright Cascade Cedar Cobalt Comet Copper Crest Delta Ember Falcon "
    "Fern Forge Granite Harbor Helix Horizon Iron Juniper Kestrel Lumen Maple Meridian Nimbus North Oak Orbit Pine "
    "Pioneer Prism Quartz Raven Ridge River Sage Silver Sparrow Summit Terra Tidal Vertex Willow Zenith"
).split()
COMPANY_SUFFIX = ("Logistics", "Labs", "Foods", "Health", "Retail", "Systems", "Media", "Energy", "Travel", "Finance",
                  "Outdoors", "Studios", "Analytics", "Motors", "Pharma", "Education", "Hotels", "Telecom")
FREE_MAIL = ("gmail.example", "outlook.example", "yahoo.example", "proton.example", "icloud.example")
TIME_ZONES = (("Eastern Time (US & Canada)", "America/New_York"), ("Pacific Time (US & Canada)", "America/Los_Angeles"),
              ("London", "Europe/London"), ("Berlin", "Europe/Berlin"), ("Paris", "Europe/Paris"),
              ("Tokyo", "Asia/Tokyo"), ("Sydney", "Australia/Sydney"), ("Brasilia", "America/Sao_Paulo"),
              ("Mumbai", "Asia/Kolkata"), ("UTC", "Etc/UTC"))
LOCALES = ((1, "en-US"), (1, "en-US"), (1, "en-US"), (8, "de"), (16, "fr"), (2, "es"), (19, "pt-BR"), (67, "ja"))

PRODUCTS = ("billing portal", "mobile app", "invoice export", "password reset", "order #{n}", "shipment {n}",
            "API key", "single sign-on", "subscription", "refund", "dashboard", "integration", "data import",
            "two-factor login", "account {n}", "warranty claim", "delivery", "plan upgrade", "webhook", "report")
PROBLEMS = ("is not working", "keeps failing", "shows an error", "is missing", "was charged twice", "is very slow",
            "cannot be found", "needs to be changed", "stopped syncing", "was damaged", "is delayed",
            "returns 500", "question", "request", "looks wrong", "won't load")
OPENERS = ("Hi team,", "Hello,", "Good morning,", "Dear support,", "Hi there,", "Hey,", "To whom it may concern,")
CLOSERS = ("Thanks in advance.", "Best regards.", "Kind regards,", "Thank you!", "Cheers.", "Looking forward to your reply.")
VOCAB = (
    "account access again agent also amount app attached before billing browser but cache called can cannot card "
    "case change charged checked cleared client configuration confirm customer dashboard data date days delivery "
    "details device different does email error every expected export failed field file first fix following from "
    "getting happened help however invoice issue item last link login looks message minutes missing morning need "
    "never new next now number only order page password payment please problem profile received refund reply "
    "report request reset screen second seems sent settings shipment should since still subscription support "
    "system team then there this ticket time today tried update uploaded user using version waiting week when "
    "working yesterday"
).split()
MACRO_TITLES = ("Close and redirect to topics", "Downgrade and inform", "Escalate to tier 2", "Request more details",
                "Refund approved", "Refund denied", "Shipping delay apology", "Password reset instructions",
                "Mark as spam", "Assign to billing", "Customer not responding", "Known issue: outage",
                "Feature request acknowledged", "Merge duplicate", "Satisfaction follow-up", "Translate to Spanish")
TAGS = ("billing refund vip urgent_customer enterprise sla_breach mobile web api login password outage bug "
        "feature_request shipping returns warranty invoice chargeback onboarding churn_risk renewal upgrade "
        "downgrade sso security gdpr data_export integration webhook spam duplicate escalated tier2 tier3 "
        "follow_up survey_sent happy_customer angry_customer social voice chat email_in partner reseller "
        "beta trial holiday_backlog migration").split()


def company_name(rng: random.Random) -> str:
    return f"{COMPANY_WORDS[int(rng.random() * len(COMPANY_WORDS))]} {COMPANY_SUFFIX[int(rng.random() * len(COMPANY_SUFFIX))]}"


def sentence(rng: random.Random) -> str:
    n = 6 + int(rng.random() * 14)
    words = [VOCAB[int(rng.random() * len(VOCAB))] for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + ("?" if rng.random() < 0.12 else ".")


class TextPool:
    """A fixed set of paragraphs and subjects per seed; records pick from it by index."""

    SIZE = 1024

    def __init__(self, seed: int):
        rng = random.Random(seed * 7 + 11)
        self._descriptions: list[str] | None = None
        self.paragraphs = [" ".join(sentence(rng) for _ in range(1 + int(rng.random() * 6))) for _ in range(self.SIZE)]
        self.subjects = []
        for _ in range(self.SIZE):
            product = PRODUCTS[int(rng.random() * len(PRODUCTS))].format(n=1000 + int(rng.random() * 90000))
            problem = PROBLEMS[int(rng.random() * len(PROBLEMS))]
            self.subjects.append(f"{product[0].upper()}{product[1:]} {problem}")

    def body(self, rng: random.Random, min_paragraphs: int, max_paragraphs: int) -> str:
        n = min_paragraphs + int(rng.random() * (max_paragraphs - min_paragraphs + 1))
        paras = self.paragraphs
        parts = [OPENERS[int(rng.random() * len(OPENERS))]]
        parts.extend(paras[int(rng.random() * self.SIZE)] for _ in range(n))
        parts.append(CLOSERS[int(rng.random() * len(CLOSERS))])
        return "\n\n".join(parts)

    def description(self, rng: random.Random) -> str:
        """A ticket description of one to eight paragraphs (a few hundred to a few thousand characters), drawn from
        a fixed set built on first use: composing one per ticket costs more than the rest of the ticket."""
        if self._descriptions is None:
            build = random.Random(self.SIZE * 13 + len(self.paragraphs[0]))
            self._descriptions = [self.body(build, 1, 8) for _ in range(2 * self.SIZE)]
        return self._descriptions[int(rng.random() * 2 * self.SIZE)]

    def subject(self, rng: random.Random) -> str:
        return self.subjects[int(rng.random() * self.SIZE)]


def html_of(body: str) -> str:
    inner = "</p><p>".join(body.split("\n\n"))
    return f'<div class="zd-comment" dir="auto"><p>{inner}</p></div>'
