#if SWITCHYARD_FUZZ
import Glibc

/// Set by scripts/fuzz.sh to fuzz one decoder with its own seed corpus; unset, the first byte picks the decoder.
private let pinnedTarget: FuzzTarget? = getenv("SWITCHYARD_FUZZ_TARGET").flatMap { FuzzTarget(rawValue: String(cString: $0)) }

/// libFuzzer's per-input callback.
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

/// libFuzzer's driver (command line, corpus, mutation loop), exported by the runtime `-sanitize=fuzzer` links.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable target's `main` to `<target>_main`, so libFuzzer's own `main` is never used: this
/// entry point hands the process to libFuzzer's driver instead.
@_cdecl("SwitchyardFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv, fuzzOneInput)
}
#endif
