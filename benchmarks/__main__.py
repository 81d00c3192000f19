"""``python -m benchmarks`` (``make bench``): every benchmark, printed side by side with the peers."""

from benchmarks import lineage

if __name__ == "__main__":
    lineage.main()
