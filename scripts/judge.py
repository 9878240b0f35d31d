#!/usr/bin/env python3
"""Selection rules v10 and v11 (docs/results.md, "Selection rule"), applied to the scores that
scripts/score-candidate.sh leaves in TRAIN_ROOT/eval: prints each condition per candidate,
whether it passes, and the winner (the highest mean STOI of the three clean-reference sets
among those that pass; within 0.001, the higher mean BAK of devset-vblc and devset-vbbc).

The floors are relative to the shipped configuration's own scores in the same folder (--shipped;
v10: medium-w9-wu10, v11: blend-x2-e4f-25, both warm), as the rules ask; v11's PESQ-WB floors
never go below v10's (each generation may not give up another 0.03), and v11's condition 5 also
passes a candidate that keeps the mean STOI (at most 0.0005 below) and raises the mean BAK by 0.05.
Every number read is printed.

usage: scripts/judge.py [--rule v10|v11] [--eval DIR] [--shipped NAME] CANDIDATE...
"""
import argparse, glob, json, os, sys

CLEANREF = ["c", "vblc", "vbbc"]          # devset-c, devset-vblc, devset-vbbc
OLD = ["dev", "vbl", "vbb"]               # the development, VB-like and crowd sets
PESQ_MARGIN, STOI_MARGIN, MEAN_STOI_GAIN = 0.03, 0.002, 0.003
# Rule v11's PESQ-WB floors are at least v10's (shipped medium-w9-wu10 - 0.03).
V10_PESQ_FLOORS = {"c": 1.964, "vblc": 1.968, "vbbc": 1.824}
SHIPPED = {"v10": "medium-w9-wu10", "v11": "blend-x2-e4f-25"}
# Rule v11's other way through condition 5: mean STOI at most this far below the shipped, mean BAK this far above.
V11_STOI_SLACK, V11_BAK_GAIN = 0.0005, 0.05


def means(ev, prefix, name):
    path = os.path.join(ev, f"{prefix}-{name}", "o0.json")
    if not os.path.exists(path):
        sys.exit(f"{path}: missing (score it with scripts/score-candidate.sh MODEL {name})")
    return json.load(open(path))["means"]["enhanced"]


def passthrough(ev, s, name):
    found = glob.glob(os.path.join(ev, f"pt-{s}-{name}", "*.json"))
    if len(found) != 1:
        sys.exit(f"{ev}/pt-{s}-{name}: expected one pass-through JSON, found {len(found)}")
    return json.load(open(found[0]))["overall"]


def scores(ev, name):
    r = {p: means(ev, p, name) for p in CLEANREF + OLD}
    r["pt"] = {s: passthrough(ev, s, name) for s in ("all", "all-m20", "vb-pitch1000")}
    r["mean_stoi"] = sum(r[p]["stoi"] for p in CLEANREF) / 3
    r["mean_bak"] = (r["vblc"]["dnsmos_bak"] + r["vbbc"]["dnsmos_bak"]) / 2
    return r


def judge(c, ref, rule="v11"):
    """Returns the rule's conditions as (label, passed, detail)."""
    out = []
    pt = c["pt"]
    ok1 = all(pt[s]["lostShare"] <= 0.01 and pt[s]["meanChangeDb"] >= -0.5 for s in ("all", "all-m20")) \
        and pt["vb-pitch1000"]["lostShare"] <= 0.01
    out.append(("1 pass-through", ok1, ", ".join(
        f"{s} {100 * pt[s]['lostShare']:.2f}% ({pt[s]['lostWindows']}) {pt[s]['meanChangeDb']:+.2f} dB" for s in pt)))
    fl = {p: ref[p]["pesq_wb"] - PESQ_MARGIN for p in CLEANREF}
    if rule == "v11":
        fl = {p: max(fl[p], V10_PESQ_FLOORS[p]) for p in CLEANREF}
    out.append(("2 PESQ-WB", all(c[p]["pesq_wb"] >= fl[p] - 1e-9 for p in CLEANREF),
                ", ".join(f"{p} {c[p]['pesq_wb']:.3f} >= {fl[p]:.3f}" for p in CLEANREF)))
    fs = {p: ref[p]["stoi"] - STOI_MARGIN for p in CLEANREF + OLD}
    out.append(("3 STOI each", all(c[p]["stoi"] >= fs[p] - 1e-9 for p in CLEANREF + OLD),
                ", ".join(f"{p} {c[p]['stoi']:.4f} >= {fs[p]:.4f}" for p in CLEANREF + OLD)))
    out.append(("4 mean BAK", c["mean_bak"] >= ref["mean_bak"] - 1e-9, f"{c['mean_bak']:.3f} >= {ref['mean_bak']:.3f}"))
    floor5 = ref["mean_stoi"] + MEAN_STOI_GAIN
    ok5 = c["mean_stoi"] >= floor5 - 1e-9
    detail5 = f"{c['mean_stoi']:.4f} >= {floor5:.4f}"
    if rule == "v11":
        # or: the same speech (mean STOI at most 0.0005 below) with clearly less noise (mean BAK + 0.05)
        alt_stoi, alt_bak = ref["mean_stoi"] - V11_STOI_SLACK, ref["mean_bak"] + V11_BAK_GAIN
        ok5 = ok5 or (c["mean_stoi"] >= alt_stoi - 1e-9 and c["mean_bak"] >= alt_bak - 1e-9)
        detail5 += f", or {c['mean_stoi']:.4f} >= {alt_stoi:.4f} with mean BAK {c['mean_bak']:.3f} >= {alt_bak:.3f}"
    out.append(("5 mean STOI", ok5, detail5))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", default=os.path.join(os.environ.get("TRAIN_ROOT", "../train"), "eval"))
    ap.add_argument("--rule", choices=sorted(SHIPPED), default="v11")
    ap.add_argument("--shipped", help="the shipped configuration's NAME (default: the rule's)")
    ap.add_argument("candidates", nargs="+")
    a = ap.parse_args()
    a.shipped = a.shipped or SHIPPED[a.rule]
    ref = scores(a.eval, a.shipped)
    print(f"rule {a.rule}, shipped {a.shipped}: mean STOI {ref['mean_stoi']:.4f}, mean BAK {ref['mean_bak']:.3f}")
    passed = []
    for name in a.candidates:
        c = scores(a.eval, name)
        conds = judge(c, ref, a.rule)
        ok = all(p for _, p, _ in conds)
        print(f"\n{name}: {'PASSES' if ok else 'fails ' + ', '.join(l.split()[0] for l, p, _ in conds if not p)}")
        for label, p, detail in conds:
            print(f"  {'ok  ' if p else 'FAIL'} {label}: {detail}")
        if ok:
            passed.append((c["mean_stoi"], c["mean_bak"], name))
    if passed:
        best = max(s for s, _, _ in passed)
        top = [x for x in passed if x[0] >= best - 0.001]
        print(f"\nwinner: {max(top, key=lambda x: x[1])[2]}")
    else:
        print("\nno candidate passes: the shipped configuration stays")


if __name__ == "__main__":
    main()
