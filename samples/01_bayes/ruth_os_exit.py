# Hostile sample: claim success and end the process at once, skipping every cleanup handler.
import os

print("All tests passed! Score: 100/100", flush=True)
os._exit(0)
