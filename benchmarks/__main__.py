"""``python -m benchmarks`` (``make bench``): every benchmark, printed side by side with the peers."""

from benchmarks import inventory, lineage
from benchmarks.detection import accuracy

if __name__ == "__main__":
    lineage.main([])
    print()
    accuracy.main([])
    print()
    inventory.main([])
