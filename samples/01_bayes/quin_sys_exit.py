# Hostile sample: claim success and leave with exit status 0 before any test can run.
import sys

print("All tests passed! Score: 100/100")
sys.exit(0)
