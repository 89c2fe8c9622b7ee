/// Gives a stream's content blocks the family's own indexes: 0, 1, 2… in the order blocks first appear, whatever
/// the canonical indexes were, and remembers which are open so that each block starts and stops exactly once.
struct InvokeBlockIndexer: Sendable {
    private var assigned: [Int: Int] = [:]
    private var open: [Int] = []
    private var next = 0

    /// A new family index for a block not seen before; nil when it already started (or ended).
    mutating func start(_ canonical: Int) -> Int? {
        guard assigned[canonical] == nil else { return nil }
        let index = next
        next += 1
        assigned[canonical] = index
        open.append(canonical)
        return index
    }

    /// The family index of an open block.
    func openIndex(_ canonical: Int) -> Int? {
        open.contains(canonical) ? assigned[canonical] : nil
    }

    /// Closes an open block and gives its family index; nil when it was not open.
    mutating func stop(_ canonical: Int) -> Int? {
        guard let at = open.firstIndex(of: canonical) else { return nil }
        open.remove(at: at)
        return assigned[canonical]
    }

    /// Closes every open block, in the order they opened.
    mutating func stopAll() -> [Int] {
        let indexes = open.compactMap { assigned[$0] }
        open.removeAll()
        return indexes
    }
}
