"""The addresses an import has read so far, to count a repeat as ``duplicatedInFile``: each address's key (the
first 64 bits of its MD5) in one flat array of 8-byte slots. A Python set of a million ints holds 78 MB of the
worker; this table, 16 MB (open addressing, linear probing, at most half full)."""

EMPTY = 0


class SeenKeys:
    def __init__(self, expected: int = 0):
        self._slots = _table(max(expected, 512))
        self._mask = len(self._slots) - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: int) -> bool:
        """Adds the 64-bit ``key``: False when it was there already."""
        key = key or 1  # 0 marks an empty slot: the one key it stands for then shares its slot with 1
        slots, mask = self._slots, self._mask
        index = key & mask  # an MD5's bits: spread evenly already
        while (found := slots[index]) != EMPTY:
            if found == key:
                return False
            index = (index + 1) & mask
        slots[index] = key
        self._count += 1
        if self._count * 2 > len(slots):
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._slots
        self._slots = _table(len(old))
        self._mask = len(self._slots) - 1
        self._count = 0
        for key in old:
            if key != EMPTY:
                self.add(key)


def _table(expected: int) -> memoryview:
    """Room for ``expected`` keys at most half full: a power of two of slots."""
    size = 1 << (2 * expected - 1).bit_length()
    return memoryview(bytearray(8 * size)).cast("Q")
