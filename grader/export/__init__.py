"""Grades out: the score table every export format is written from."""
