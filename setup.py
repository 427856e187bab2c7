"""Packages of citykit, and the sample city they carry.

Everything else about the build is in ``pyproject.toml``. This file exists for one mapping that
``pyproject.toml`` cannot express next to automatic package discovery: the course's ``datasets/``
folder is installed as the package data folder ``citykit/sample_city``, so that a wheel of
citykit carries the sample city (``citykit.datasets.data_dir()`` finds it there).
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("toolkit"), "citykit.sample_city"],
    package_dir={"": "toolkit", "citykit.sample_city": "datasets"},
)
