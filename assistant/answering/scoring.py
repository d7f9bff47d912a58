"""How well a piece of text (a title, a sentence, a whole abstract) answers a question's plan.

Coverage is the share of the question's weight a text contains, where the question's terms
form AND-groups of OR-alternatives ("carbon footprint / CO2 emissions of training": one group
for the two phrasings, one for "training"; "video llms": "VideoLLM", or "video" with "LLM").
The words of a compound typed apart count only all together. An acronym of the question ("LLM") also matches
the words it abbreviates ("large language models").
"""

from __future__ import annotations

from assistant.answering.plan import QueryPlan
from assistant.answering.units import present


class Coverage:
    """Scores texts against weighted terms grouped as AND-groups of OR-alternatives."""

    def __init__(
        self,
        groups: list[list[dict[str, float]]],
        acronyms: frozenset[str],
        phrases: frozenset[frozenset[str]] = frozenset(),
    ) -> None:
        self.groups = [g for g in groups if g and any(sum(a.values()) > 0 for a in g)]
        self.acronyms = acronyms
        self.weights: dict[str, float] = {}
        for group in self.groups:
            for alt in group:
                self.weights.update(alt)
        # (group weight, [(alternative weight, its terms and weights)]) computed once: ``of``
        # runs for every sentence of every candidate
        self._shape = [
            (
                self._group_weight(g),
                [(max(sum(a.values()), 1e-9), list(a.items()), frozenset(a) in phrases) for a in g],
            )
            for g in self.groups
        ]
        self.total = sum(weight for weight, _ in self._shape)

    @classmethod
    def for_plan(cls, plan: QueryPlan, weights: dict[str, float] | None = None) -> Coverage:
        """The plan's own grouping, or plain ``weights`` (one group per term)."""
        groups = plan.groups() if weights is None else [[{k: w}] for k, w in weights.items()]
        acronyms = frozenset(t.key for t in plan.terms if t.acronym)
        # the words of a compound typed apart ("mixture of experts") count only together
        phrases = frozenset(frozenset(t.parts) for t in plan.terms if t.parts)
        return cls(groups, acronyms, phrases)

    @staticmethod
    def _group_weight(group: list[dict[str, float]]) -> float:
        return max(sum(alt.values()) for alt in group)

    def has(self, term: str, text: frozenset[str]) -> bool:
        return present(term, text, term in self.acronyms)

    def of(self, text: frozenset[str]) -> float:
        """Share of the question's weight the text contains (0..1)."""
        if self.total <= 0:
            return 0.0
        hits = {t for t in self.weights if self.has(t, text)}
        got = 0.0
        for weight, alternatives in self._shape:
            share = max(
                0.0
                if phrase and any(t not in hits for t, _ in terms)
                else sum(w for t, w in terms if t in hits) / alt_weight
                for alt_weight, terms, phrase in alternatives
            )
            got += share * weight
        return got / self.total

    def matched(self, text: frozenset[str]) -> list[str]:
        return [t for t in self.weights if self.has(t, text)]
