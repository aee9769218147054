// The libFuzzer harness (built only by `make fuzz`, with -DLOCE_LIBFUZZER and
// -sanitize=fuzzer,address): libFuzzer's main calls these two C entry points. The target is
// chosen once per process by the environment variable LOCE_FUZZ_TARGET ("list" prints them).
#if LOCE_LIBFUZZER
import FuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// The target of this process. libFuzzer's C callbacks carry no context, so the choice made in
/// `LLVMFuzzerInitialize` has to live here; nothing else reads or writes it.
private var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let name = getenv("LOCE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    let targets = FuzzTarget.makeAll()
    if name == "list" {
        for target in targets { print("\(target.name)\t\(target.maxLength)\t\(target.summary)") }
        exit(0)
    }
    guard let target = targets.first(where: { $0.name == name }) else {
        fputs("loce-fuzz: set LOCE_FUZZ_TARGET to one of: \(targets.map(\.name).joined(separator: ", ")) (or \"list\")\n", stderr)
        exit(64)
    }
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    if case let .finding(text) = target.run(UnsafeRawBufferPointer(start: data, count: size)) {
        fputs("loce-fuzz: finding in target \(target.name): \(text)\n", stderr)
        abort()  // libFuzzer saves the input as a crash reproducer
    }
    return 0
}
#endif
