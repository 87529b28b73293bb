"""Automated grader for mathematical machine-learning coursework."""

__version__ = "0.1.0"
