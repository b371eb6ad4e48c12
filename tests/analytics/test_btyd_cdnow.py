"""The models reproduce the published estimates on the CDNOW sample (2,357 customers, weeks)."""

import pytest

from ecoute.analytics.btyd import fit_bgnbd, fit_gamma_gamma, fit_mbgnbd, fit_pareto_nbd
from tests.analytics.btyd_data import cdnow_histories, cdnow_summary


def test_cdnow_summary_has_the_papers_customers_and_repeat_purchases() -> None:
    # given the CDNOW transaction log, calibration ending 1997-09-30
    # when it is summarised
    summary = cdnow_summary()
    # then it has the 2,357 customers of the paper, 946 of whom bought again
    assert summary.customers == 2357
    assert int((summary.frequency > 0).sum()) == 946
    assert summary.age.max() == pytest.approx(38.857, abs=1e-3)


def test_bgnbd_reproduces_fader_hardie_lee_2005() -> None:
    # when BG/NBD is fitted on the CDNOW histories
    fitted = fit_bgnbd(cdnow_histories())
    # then the parameters and log-likelihood are those published, to the published precision
    params = fitted.model.params()
    assert round(params["r"], 3) == 0.243
    assert round(params["alpha"], 3) == 4.414
    assert round(params["a"], 3) == 0.793
    assert round(params["b"], 3) == 2.426
    assert round(fitted.log_likelihood, 1) == -9582.4
    assert fitted.converged


def test_mbgnbd_reproduces_batislam_et_al_2007_on_cdnow() -> None:
    fitted = fit_mbgnbd(cdnow_histories())
    params = fitted.model.params()
    assert round(params["r"], 3) == 0.525
    assert round(params["alpha"], 3) == 6.183
    assert round(params["a"], 3) == 0.891
    assert round(params["b"], 3) == 1.614
    assert fitted.converged


def test_pareto_nbd_reproduces_the_published_cdnow_estimates() -> None:
    fitted = fit_pareto_nbd(cdnow_histories())
    params = fitted.model.params()
    assert round(params["r"], 3) == 0.553
    assert round(params["alpha"], 3) == 10.578
    assert round(params["s"], 3) == 0.606
    assert round(params["beta"], 3) == 11.669
    assert round(fitted.log_likelihood, 1) == -9595.0
    assert fitted.converged


def test_gamma_gamma_reproduces_fader_hardie_lee_2005_on_repeat_buyers() -> None:
    # given the 946 repeat buyers and their mean repeat spend
    summary = cdnow_summary()
    # when Gamma-Gamma is fitted
    fitted = fit_gamma_gamma(summary.frequency, summary.monetary_value)
    # then p, q and γ are the published 6.25, 3.74 and 15.44
    assert fitted.customers == 946
    params = fitted.model.params()
    assert round(params["p"], 2) == 6.25
    assert round(params["q"], 2) == 3.74
    assert round(params["v"], 2) == 15.44


def test_aic_ranks_the_models_by_likelihood_and_parameter_count() -> None:
    histories = cdnow_histories()
    bgnbd, pareto = fit_bgnbd(histories), fit_pareto_nbd(histories)
    # both have four parameters: AIC follows the log-likelihood
    assert bgnbd.aic == pytest.approx(8 - 2 * bgnbd.log_likelihood)
    assert bgnbd.aic < pareto.aic
