#if SWITCHYARD_FUZZ
import Glibc

/// Set by scripts/fuzz.sh to fuzz one decoder with its own seed corpus; unset, the first byte picks the decoder.
private let pinnedTarget: FuzzTarget? = getenv("SWITCHYARD_FUZZ_TARGET").flatMap { FuzzTarget(rawValue: String(cString: $0)) }

/// libFuzzer's entry point (the fuzz build links libFuzzer's `main`, so this target has none of its own there).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let pinnedTarget {
        pinnedTarget.run(input)
    } else {
        FuzzTarget.dispatch(input)
    }
    return 0
}
#endif
