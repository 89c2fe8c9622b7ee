#if !SWITCHYARD_FUZZ
import Foundation

/// The harness without libFuzzer (every normal build): replays corpus files, or runs seeded random mutations of the
/// seed corpus, through the same `FuzzTarget.run` libFuzzer calls.
@main
struct CorpusReplay {
    static let usage = """
        usage: SwitchyardFuzz [--target NAME] PATH...     replay files; a directory is read recursively, and a file's
                                                          decoder is --target or the nearest directory named after one
               SwitchyardFuzz --random N [--seed S] [--artifact FILE] CORPUS
                                                          N seeded mutations of each decoder's seeds in CORPUS/<name>/;
                                                          each input is written to FILE first, so a crash leaves it
        decoders: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))
        """

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        do {
            let target = try option("--target", in: &arguments).map { name in
                guard let target = FuzzTarget(rawValue: name) else { throw UsageError("unknown decoder '\(name)'") }
                return target
            }
            let random = try option("--random", in: &arguments).map { text in
                guard let count = Int(text), count > 0 else { throw UsageError("--random takes a positive count") }
                return count
            }
            let seed = try option("--seed", in: &arguments).map { text in
                guard let seed = UInt64(text) else { throw UsageError("--seed takes an unsigned integer") }
                return seed
            }
            let artifact = try option("--artifact", in: &arguments)
            guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("--") }) else { throw UsageError(usage) }
            if let random {
                guard arguments.count == 1 else { throw UsageError("--random takes one corpus directory") }
                try mutate(corpus: arguments[0], count: random, seed: seed ?? 1, artifact: artifact)
            } else {
                try replay(arguments, target: target)
            }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
    }

    static func replay(_ paths: [String], target: FuzzTarget?) throws {
        var counts: [FuzzTarget: Int] = [:]
        var rejected: [String] = []
        for path in paths {
            for file in try files(under: URL(fileURLWithPath: path)) {
                guard let decoder = target ?? decoder(for: file) else {
                    throw UsageError("\(file.path): no --target, and no directory on its path names a decoder")
                }
                if !decoder.run(Array(try Data(contentsOf: file))) { rejected.append(file.path) }
                counts[decoder, default: 0] += 1
            }
        }
        guard !counts.isEmpty else { throw UsageError("no inputs under \(paths.joined(separator: " "))") }
        report("replayed", counts)
        // Seeds are meant to decode; a regression input (a former crash) usually does not, which is fine.
        for path in rejected { print("rejected: \(path)") }
    }

    static func mutate(corpus: String, count: Int, seed: UInt64, artifact: String?) throws {
        var mutator = SeedMutator(seed: seed)
        var counts: [FuzzTarget: Int] = [:]
        for decoder in FuzzTarget.allCases {
            let directory = URL(fileURLWithPath: corpus).appendingPathComponent(decoder.rawValue)
            let seeds = try files(under: directory).map { Array(try Data(contentsOf: $0)) }
            guard !seeds.isEmpty else { throw UsageError("no seeds in \(directory.path)") }
            for _ in 0..<count {
                let input = mutator.mutate(
                    seeds[mutator.below(seeds.count)], donor: seeds[mutator.below(seeds.count)], maxLength: 16 << 10)
                if let artifact { try Data(input).write(to: URL(fileURLWithPath: artifact)) }
                decoder.run(input)
                counts[decoder, default: 0] += 1
            }
        }
        report("ran \(count) mutated inputs (seed \(seed)) per decoder:", counts)
    }

    /// Regular files under `url` (or `url` itself), in a stable order.
    static func files(under url: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw UsageError("\(url.path) does not exist")
        }
        guard isDirectory.boolValue else { return [url] }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.flatMap { try files(under: url.appendingPathComponent($0)) }
    }

    static func decoder(for file: URL) -> FuzzTarget? {
        var directory = file.deletingLastPathComponent()
        while directory.pathComponents.count > 1 {
            if let target = FuzzTarget(rawValue: directory.lastPathComponent) { return target }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    static func option(_ name: String, in arguments: inout [String]) throws -> String? {
        guard let at = arguments.firstIndex(of: name) else { return nil }
        guard at + 1 < arguments.count else { throw UsageError("\(name) needs a value") }
        defer { arguments.removeSubrange(at...(at + 1)) }
        return arguments[at + 1]
    }

    static func report(_ what: String, _ counts: [FuzzTarget: Int]) {
        let parts = FuzzTarget.allCases.compactMap { target in counts[target].map { "\(target.rawValue) \($0)" } }
        print("\(what) \(parts.joined(separator: ", ")) (\(counts.values.reduce(0, +)) inputs)")
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
#endif
