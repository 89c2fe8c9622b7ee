public enum VectorMath {
    /// The vector scaled to unit length (unchanged when it is all zeros).
    public static func normalized(_ vector: [Double]) -> [Double] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return vector }
        return vector.map { $0 / norm }
    }
}
