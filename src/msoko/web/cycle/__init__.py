"""The management cycle: goals, indicators, collection, monitoring, analysis, recommendations, measures,
decisions and the analysis of the measures' effect, per system and track."""
