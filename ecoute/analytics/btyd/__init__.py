"""Buy-till-you-die customer lifetime models: BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma.

Pure numpy/scipy. Models are fitted by maximum likelihood on sufficient statistics (unique
(frequency, recency, age) rows with counts) and reproduce the published CDNOW estimates.
"""

from ecoute.analytics.btyd.bgnbd import BgNbd, MbgNbd, fit_bgnbd, fit_mbgnbd
from ecoute.analytics.btyd.gamma_gamma import FittedSpend, GammaGamma, fit_gamma_gamma
from ecoute.analytics.btyd.histories import Histories, compress_histories
from ecoute.analytics.btyd.model import FittedModel, Forecast, PurchaseModel
from ecoute.analytics.btyd.pareto import ParetoNbd, fit_pareto_nbd
from ecoute.analytics.btyd.summary import CustomerSummary, summarise_transactions

__all__ = [
    "BgNbd",
    "CustomerSummary",
    "FittedModel",
    "FittedSpend",
    "Forecast",
    "GammaGamma",
    "Histories",
    "MbgNbd",
    "ParetoNbd",
    "PurchaseModel",
    "compress_histories",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "summarise_transactions",
]
