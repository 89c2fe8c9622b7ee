/// The unit vectors of one semantic partition, in one contiguous Float32 buffer, compared by brute force: a dot
/// product per entry, which for unit vectors is the cosine similarity.
struct VectorPartition {
    let dimensions: Int
    private(set) var values: [Float] = []
    /// The index slot each row belongs to, row by row.
    private(set) var slots: [Int] = []
    private var rowOfSlot: [Int: Int] = [:]

    init(dimensions: Int) {
        self.dimensions = dimensions
    }

    var count: Int { slots.count }

    mutating func add(_ vector: [Float], slot: Int) {
        precondition(vector.count == dimensions)
        if let row = rowOfSlot[slot] {
            values.replaceSubrange(row * dimensions..<(row + 1) * dimensions, with: vector)
            return
        }
        rowOfSlot[slot] = slots.count
        slots.append(slot)
        values.append(contentsOf: vector)
    }

    /// Moves the last row into the freed one: order does not matter to a scan.
    mutating func remove(slot: Int) {
        guard let row = rowOfSlot.removeValue(forKey: slot) else { return }
        let last = slots.count - 1
        if row != last {
            let moved = slots[last]
            slots[row] = moved
            rowOfSlot[moved] = row
            values.withUnsafeMutableBufferPointer { buffer in
                for d in 0..<dimensions { buffer[row * dimensions + d] = buffer[last * dimensions + d] }
            }
        }
        slots.removeLast()
        values.removeLast(dimensions)
    }

    /// The rows by similarity to `query`, best first, down to `floor`; at most `limit`.
    func nearest(_ query: [Float], floor: Float, limit: Int) -> [(slot: Int, score: Float)] {
        guard query.count == dimensions, !slots.isEmpty else { return [] }
        var found: [(slot: Int, score: Float)] = []
        let dims = dimensions
        values.withUnsafeBytes { matrix in
            query.withUnsafeBytes { q in
                for row in 0..<slots.count {
                    let score = Self.dot(matrix.baseAddress! + row * dims * 4, q.baseAddress!, count: dims)
                    if score >= floor { found.append((slots[row], score)) }
                }
            }
        }
        found.sort { $0.score > $1.score }
        return Array(found.prefix(limit))
    }

    /// Sixteen lanes at a time in two accumulators: a plain `sum +=` loop is one dependent chain the compiler may
    /// not reorder (float addition is not associative), which made a 10k x 1536 scan about four times slower.
    @inline(__always)
    static func dot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Float {
        var low = SIMD8<Float>(), high = SIMD8<Float>()
        var d = 0
        while d + 16 <= count {
            let offset = d * 4
            low += a.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self) * b.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            high +=
                a.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
                * b.loadUnaligned(fromByteOffset: offset + 32, as: SIMD8<Float>.self)
            d += 16
        }
        var sum = (low + high).sum()
        while d < count {
            sum += a.loadUnaligned(fromByteOffset: d * 4, as: Float.self) * b.loadUnaligned(fromByteOffset: d * 4, as: Float.self)
            d += 1
        }
        return sum
    }

    /// Scales to unit length; nil for a vector of zeros (or not finite), which no similarity can be measured to.
    static func unit(_ vector: [Double]) -> [Float]? {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm.isFinite, norm > 0 else { return nil }
        return vector.map { Float($0 / norm) }
    }
}
