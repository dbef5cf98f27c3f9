"""``market_concentration``: CR5, CR10 and HHI of agencies' GMV by quarter, from the rows
(``mcn.metrics.agency_gmv_by_quarter``; the operator's /operator/certification/concentration/
shows the same figures). CR5/CR10 are shares of the whole market's GMV, independent creators
included; the HHI is over the agencies' shares of the agency market, in points (10,000 = one
agency)."""

from django.core.management.base import BaseCommand

from mcn.metrics import agency_gmv_by_quarter


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "Print agencies' market concentration (CR5, CR10, HHI) by quarter."

    def handle(self, *args, **options):
        quarters = agency_gmv_by_quarter()
        if not quarters:
            self.stdout.write("No GMV recorded yet.")
            return
        self.stdout.write("quarter  CR5     CR10    HHI    agencies  market GMV")
        for quarter, c, market in quarters:
            hhi = "—" if c.hhi is None else f"{c.hhi * 10_000:.0f}"
            self.stdout.write(
                f"{quarter}  {percent(c.cr5):<6}  {percent(c.cr10):<6}  {hhi:<5}  "
                f"{c.agencies:<8}  {market:,.2f}"
            )
