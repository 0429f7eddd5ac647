"""Faust stream stages. Each sub-package owns one stage: its pure logic, its settings and its agent."""
