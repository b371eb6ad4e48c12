"""The purchase models `ecoute btyd` fits, by the names its options and reports give them."""

PURCHASE_MODELS = ("bgnbd", "mbgnbd", "pareto")
MODEL_CHOICES = (*PURCHASE_MODELS, "all")
