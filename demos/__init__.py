"""The lessons, one script each, in the order of the story given in ``lessons.txt``.

In the repository they are scripts (``python demos/NAME.py --out output``); installed, this
folder is the package ``tinygrad_edu.lessons`` and ``tinygrad-edu lesson NAME`` runs them.
"""
