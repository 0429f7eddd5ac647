"""Dedup stage: is this article a copy of one already seen, and which story is it?"""
