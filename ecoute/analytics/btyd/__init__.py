"""Buy-till-you-die customer lifetime models: BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma.

Pure numpy/scipy. Models are fitted by maximum likelihood on sufficient statistics (unique
(frequency, recency, age) rows with counts) and reproduce the published CDNOW estimates.

The names below are loaded when first used: reading a transactions file needs numpy alone, and
`ecoute btyd` loads scipy meanwhile (see ecoute.retention.btyd_console).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecoute.analytics.btyd.bgnbd import BgNbd, MbgNbd, fit_bgnbd, fit_mbgnbd
    from ecoute.analytics.btyd.gamma_gamma import FittedSpend, GammaGamma, fit_gamma_gamma
    from ecoute.analytics.btyd.histories import Histories, compress_histories
    from ecoute.analytics.btyd.model import FittedModel, Forecast, PurchaseModel
    from ecoute.analytics.btyd.pareto import ParetoNbd, fit_pareto_nbd
    from ecoute.analytics.btyd.summary import CustomerSummary, summarise_transactions

_MODULES = {
    "bgnbd": ("BgNbd", "MbgNbd", "fit_bgnbd", "fit_mbgnbd"),
    "gamma_gamma": ("FittedSpend", "GammaGamma", "fit_gamma_gamma"),
    "histories": ("Histories", "compress_histories"),
    "model": ("FittedModel", "Forecast", "PurchaseModel"),
    "pareto": ("ParetoNbd", "fit_pareto_nbd"),
    "summary": ("CustomerSummary", "summarise_transactions"),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(import_module(f"{__name__}.{module}"), name)
