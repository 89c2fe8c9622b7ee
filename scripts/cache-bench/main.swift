// Semantic lookup time of the answer cache: VectorPartition.nearest (the brute-force dot product over a
// partition's unit vectors) at several partition sizes and dimensions, compiled with -O like a release build.
// Built and run by scripts/cache-bench.sh; prints one line per size: median and p95 of single lookups.
import Foundation

func randomUnit(_ dimensions: Int, _ generator: inout SystemRandomNumberGenerator) -> [Float] {
    VectorPartition.unit((0..<dimensions).map { _ in Double.random(in: -1...1, using: &generator) })!
}

let sizes = CommandLine.arguments.count > 1 ? CommandLine.arguments[1].split(separator: ",").compactMap { Int($0) } : [10_000, 100_000]
let dimensionsList = CommandLine.arguments.count > 2 ? CommandLine.arguments[2].split(separator: ",").compactMap { Int($0) } : [1024, 1536]
var generator = SystemRandomNumberGenerator()
for dimensions in dimensionsList {
    for size in sizes {
        var partition = VectorPartition(dimensions: dimensions)
        for slot in 0..<size { partition.add(randomUnit(dimensions, &generator), slot: slot) }
        let queries = (0..<40).map { _ in randomUnit(dimensions, &generator) }
        var samples: [Double] = []
        var sink = 0
        for query in queries {
            let start = ContinuousClock.now
            sink &+= partition.nearest(query, floor: 0.95, limit: 8).count
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        let median = samples[samples.count / 2], p95 = samples[Int(Double(samples.count) * 0.95)]
        print(String(format: "entries=%7d dims=%4d  lookup median %7.2f ms  p95 %7.2f ms  (%.0f MB of vectors)%@", size, dimensions, median, p95,
                     Double(size * dimensions * 4) / 1e6, sink < 0 ? "!" : ""))
    }
}
