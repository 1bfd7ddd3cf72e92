"""Packaging for the Zendesk Support source: the connector only (the emulator and benches stay in the repo)."""

from setuptools import find_packages, setup

MAIN_REQUIREMENTS = [
    "airbyte-cdk>=7.0,<8.0",
]

TEST_REQUIREMENTS = [
    "pytest>=8,<10",
    "requests-mock>=1.11,<2",
    "freezegun>=1.4,<2",
    "hypothesis>=6.100,<7",
    "trustme>=1.1,<2",
    "ruff>=0.6",
    "pyyaml>=6",
    "airbyte-connector-models>=0.1",
]

setup(
    name="source-zendesk-support",
    version="0.1.0",
    description="Airbyte source connector for Zendesk Support: tickets, users, organizations, audits and more.",
    author="source-zendesk-support developers",
    license="MIT",
    python_requires=">=3.11,<3.14",
    packages=find_packages(include=["source_zendesk_support", "source_zendesk_support.*"]),
    install_requires=MAIN_REQUIREMENTS,
    extras_require={"tests": TEST_REQUIREMENTS},
    package_data={"source_zendesk_support": ["spec.json", "spec.yaml", "schemas/*.json", "schemas/shared/*.json"]},
    include_package_data=True,
    entry_points={"console_scripts": ["source-zendesk-support=source_zendesk_support.run:run"]},
)
