#!/usr/bin/env python3
"""Selection rule v10 as it was run from the fifteenth to the eighteenth sitting: scripts/judge.py --rule v10."""
import os, sys
os.execv(sys.executable, [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge.py"), "--rule", "v10", *sys.argv[1:]])
