"""Make the (除夕, 清明, 端午, 中秋) table of certbridge.kit.statutory_holidays with two independent libraries.

Not a dependency of certbridge: run it in a throwaway virtualenv with `pip install lunar-python==1.4.8 sxtwl`
(python scripts/statutory_holiday_table.py > table.txt). It stops at the first year the two disagree.
"""
import datetime as dt, sxtwl
from lunar_python import Lunar, Solar
rows=[]
for y in range(2025, 2101):
    # lunar-python
    ny = Lunar.fromYmd(y,1,1).getSolar()
    eve = dt.date(ny.getYear(), ny.getMonth(), ny.getDay()) - dt.timedelta(days=1)
    dw = Lunar.fromYmd(y,5,5).getSolar(); mid = Lunar.fromYmd(y,8,15).getSolar()
    qm = Lunar.fromYmd(y,3,1).getJieQiTable()["清明"]
    a = (eve, dt.date(dw.getYear(),dw.getMonth(),dw.getDay()), dt.date(mid.getYear(),mid.getMonth(),mid.getDay()), dt.date(qm.getYear(),qm.getMonth(),qm.getDay()))
    # sxtwl
    d = sxtwl.fromLunar(y,1,1); ny2 = dt.date(d.getSolarYear(), d.getSolarMonth(), d.getSolarDay())
    d = sxtwl.fromLunar(y,5,5); dw2 = dt.date(d.getSolarYear(), d.getSolarMonth(), d.getSolarDay())
    d = sxtwl.fromLunar(y,8,15); mid2 = dt.date(d.getSolarYear(), d.getSolarMonth(), d.getSolarDay())
    qm2=None
    for day in range(1,10):
        s = sxtwl.fromSolar(y,4,day)
        if s.hasJieQi() and s.getJieQi()==7: qm2=dt.date(y,4,day)
    b = (ny2 - dt.timedelta(days=1), dw2, mid2, qm2)
    assert a==b, (y,a,b)
    rows.append((y,)+a)
for r in rows: print(f'    {r[0]}: ("{r[1]:%m-%d}", "{r[4]:%m-%d}", "{r[2]:%m-%d}", "{r[3]:%m-%d}"),')
