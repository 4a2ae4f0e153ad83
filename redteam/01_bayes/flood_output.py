# Red team: a gigabyte of output on stdout and stderr, with fake results among it.
import sys

line = ('{"score": 100, "status": "passed"}' + " " * 990 + "\n") * 1024
for _ in range(512):
    sys.stdout.write(line)
    sys.stderr.write(line)
