"""Packaging for the Zendesk Support source: the connector only (the emulator and benches stay in the repo).

The distribution is `zendesk-support-airbyte-source`: `source-zendesk-support` on PyPI is an unrelated placeholder, and
`airbyte-source-zendesk-support` is Airbyte's official connector. The console script keeps the usual connector name.
"""

from setuptools import find_namespace_packages, setup

# The oldest CDK the unit tests pass on: `bin/test` runs them on it in a venv of its own (bin/test-cdk-floor).
# Below it: 7.30-7.33 lack PageSizeReductionRequiredException.error_message, 7.20-7.29 ResponseAction.REDUCE_PAGE_SIZE,
# 7.0-7.19 ResponseAction.REFRESH_TOKEN_THEN_RETRY. The image installs the versions pinned in constraints.txt.
MAIN_REQUIREMENTS = [
    "airbyte-cdk>=7.34.0,<8",
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
    "mypy>=1.10",
    "types-requests>=2.31",
    "duckdb>=2.0.1,<3",  # scripts/time_in_status.py, the README's field history example
]

setup(
    name="zendesk-support-airbyte-source",
    version="0.1.0",
    description="Airbyte source connector for Zendesk Support: tickets, users, organizations, audits and more.",
    author="zendesk-support-airbyte-source developers",
    license="MIT",
    python_requires=">=3.11,<3.14",
    # Namespace discovery also finds the schema folders (JSON only, no __init__.py), so they ship as the package
    # data of packages of their own instead of folders setuptools warns it would ignore.
    packages=find_namespace_packages(include=["source_zendesk_support", "source_zendesk_support.*"]),
    package_data={
        "source_zendesk_support": ["spec.json"],
        "source_zendesk_support.schemas": ["*.json"],
        "source_zendesk_support.schemas.shared": ["*.json"],
    },
    include_package_data=False,
    install_requires=MAIN_REQUIREMENTS,
    extras_require={"tests": TEST_REQUIREMENTS},
    entry_points={"console_scripts": ["source-zendesk-support=source_zendesk_support.run:run"]},
)
