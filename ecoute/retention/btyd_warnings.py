"""What each finding about a lifetime-model fit means for the user, and what to do about it."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecoute.analytics.btyd.diagnostics import FitWarning
from ecoute.lib.quantities import grouped


def warning_message(warning: FitWarning) -> str:
    parameters = ", ".join(warning.parameters)
    match warning.code:
        case "no_repeat_purchases":
            return _(
                "No customer bought again during the calibration period: the purchase rate and the "
                "dropout cannot be estimated. Use a longer calibration period or data with repeat purchases."
            )
        case "too_few_customers":
            return ngettext(
                "Only %(count)s customer: far too few to estimate the model. Fit it on several hundred "
                "customers.",
                "Only %(count)s customers: far too few to estimate the model. Fit it on several hundred "
                "customers.",
                warning.customers,
            ) % {"count": grouped(warning.customers)}
        case "small_sample":
            return ngettext(
                "Small sample (%(customers)s customer, %(repeat)s who bought again): the estimates are "
                "uncertain. Read them with their standard errors and intervals, and fit on more customers "
                "if you can.",
                "Small sample (%(customers)s customers, %(repeat)s who bought again): the estimates are "
                "uncertain. Read them with their standard errors and intervals, and fit on more customers "
                "if you can.",
                warning.customers,
            ) % {"customers": grouped(warning.customers), "repeat": grouped(warning.repeat_buyers)}
        case "parameter_at_boundary":
            return _(
                "The fit ran to the edge of the parameter space (%(parameters)s): these data do not "
                "identify the model and its predictions are not estimates. Use more customers, a longer "
                "calibration period or another model."
            ) % {"parameters": parameters}
        case "no_dropout":
            return _(
                "Customers do not seem to drop out (%(parameters)s at the edge of their range): the model "
                "is at its limit without dropout and P(alive) is close to 1 for everyone. Check that the "
                "calibration period is long enough for customers to leave, or use another model."
            ) % {"parameters": parameters}
        case "unidentified":
            return _(
                "The likelihood is flat in some direction: the parameters cannot be told apart and have no "
                "standard errors. Use more customers or a longer calibration period."
            )
    return _("The fit did not converge: its parameters are not at the maximum of the likelihood.")
