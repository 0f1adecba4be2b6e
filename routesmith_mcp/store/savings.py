"""The savings view: cost of what ran versus the same tokens on each host's strongest model."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from routesmith_mcp.store.results import SavingsReport, SavingsRow, StrongestModel
from routesmith_mcp.store.tables import OUTCOMES as O

Strongest = Mapping[str, StrongestModel | tuple[str, float, float]] | Callable[[str], StrongestModel | None]


def _lookup(strongest: Strongest, host: str) -> StrongestModel | None:
    found = strongest(host) if callable(strongest) else strongest.get(host)
    if found is None or isinstance(found, StrongestModel):
        return found
    model, p_in, p_out = found
    return StrongestModel(model=model, input_usd_per_mtok=p_in, output_usd_per_mtok=p_out)


def query_savings(conn: Connection, where: list[ColumnElement[bool]], strongest: Strongest) -> SavingsReport:
    """Compare per (host, model): outcomes with token counts are priced at the host's strongest model.

    An outcome is compared when its tokens are known and its actual cost is known: reported `cost_usd`, or, for
    outcomes that ran on the strongest model itself without a cost, the strongest model's price.
    """
    toks = and_(O.c.input_tokens.is_not(None), O.c.output_tokens.is_not(None))
    priced = and_(toks, O.c.cost_usd.is_not(None))
    unpriced = and_(toks, O.c.cost_usd.is_(None))

    def s(cond: ColumnElement[bool], value: ColumnElement | int) -> ColumnElement:
        return func.sum(case((cond, value), else_=0))

    stmt = (select(O.c.host, O.c.model, func.count(), s(priced, 1), s(priced, O.c.cost_usd),
                   s(priced, O.c.input_tokens), s(priced, O.c.output_tokens), s(unpriced, 1),
                   s(unpriced, O.c.input_tokens), s(unpriced, O.c.output_tokens))
            .where(*where).group_by(O.c.host, O.c.model).order_by(O.c.host, O.c.model))
    rows: list[SavingsRow] = []
    tot_actual = tot_base = 0.0
    not_compared = 0
    unpriced_hosts: set[str] = set()
    for host, model, n, pn, pcost, pin, pout, un, uin, uout in conn.execute(stmt):
        n, pn, un = int(n), int(pn or 0), int(un or 0)
        best = _lookup(strongest, host)
        if best is None:
            unpriced_hosts.add(host)
            rows.append(SavingsRow(host=host, model=model, n=n, compared=0, actual_cost_usd=0.0))
            not_compared += n
            continue

        def price(tin: int, tout: int, b: StrongestModel = best) -> float:
            return (tin * b.input_usd_per_mtok + tout * b.output_usd_per_mtok) / 1e6

        compared, actual = pn, float(pcost or 0.0)
        base = price(int(pin or 0), int(pout or 0))
        if model == best.model and un:
            extra = price(int(uin or 0), int(uout or 0))
            compared += un
            actual += extra
            base += extra
        not_compared += n - compared
        tot_actual += actual
        tot_base += base
        rows.append(SavingsRow(host=host, model=model, n=n, compared=compared, actual_cost_usd=round(actual, 10),
                               strongest_model=best.model, strongest_cost_usd=round(base, 10),
                               saved_usd=round(base - actual, 10)))
    notes = []
    if unpriced_hosts:
        notes.append(f"no strongest-model price for host(s): {', '.join(sorted(unpriced_hosts))}")
    if not_compared:
        notes.append(f"{not_compared} outcome(s) lack token counts or a cost and are not compared")
    notes.append("the baseline assumes the strongest model would have used the same tokens and succeeded as often")
    saved = tot_base - tot_actual
    return SavingsReport(rows=rows, actual_cost_usd=round(tot_actual, 10), strongest_cost_usd=round(tot_base, 10),
                         saved_usd=round(saved, 10), saved_pct=(saved / tot_base if tot_base > 0 else None),
                         not_compared=not_compared, notes=notes)
