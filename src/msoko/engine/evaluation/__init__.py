"""The evaluation of municipal mechanisms (МУМ): the rubric, the scoring arithmetic, the experts' agreement,
the reconciliation of their scores and the link between scores and outcomes. No Django here: the web app
(msoko.web.evaluation) stores the raw parameter scores and calls these functions to derive everything else."""
