"""Precision, recall and F1 from confusion counts, shared by the evaluation commands of every stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Counts:
    """Counts of one yes/no decision. With nothing predicted (or nothing to find) precision (or recall) is 1:
    no wrong claim was made (nothing was missed)."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        claimed = self.true_positives + self.false_positives
        return self.true_positives / claimed if claimed else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0
