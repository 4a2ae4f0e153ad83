# A "bigger experiment": ten to the eleven tosses at once (800 GB of float64).
huge = np.ones(10**11)
print(huge.sum())
