"""Package layout: the top-level folders of the repository install under one import name.

``loaders/`` becomes ``quyhoach.loaders``, ``graph/`` becomes ``quyhoach.graph`` and so on, so
nothing generic (``api``, ``graph``) lands in site-packages as a top-level module.
"""

from setuptools import find_namespace_packages, setup

FOLDERS = {
    "quyhoach": "quyhoach",
    "quyhoach.loaders": "loaders",
    "quyhoach.graph": "graph",
    "quyhoach.api": "api",
    "quyhoach.ontology": "ontology",
    "quyhoach.queries": "queries",
    "quyhoach.corpus": "corpus",
}

packages = []
for package, folder in FOLDERS.items():
    packages.append(package)
    packages += [f"{package}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]

setup(packages=packages, package_dir=FOLDERS)
