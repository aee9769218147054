// The libFuzzer harness (built only by `make fuzz`, with -DLOCE_LIBFUZZER and
// -sanitize=fuzzer,address). SwiftPM points an executable's `main` at its Swift entry point,
// so the harness has its own `@main` that hands the command line to libFuzzer's driver
// (LLVMFuzzerRunDriver) instead of using libFuzzer's `main`. The target is chosen by the
// environment variable LOCE_FUZZ_TARGET ("list" prints the targets and their -max_len).
#if LOCE_LIBFUZZER
import FuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point for programs with their own main (compiler-rt FuzzerDriver.cpp).
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target of this process. libFuzzer's callback carries no context, so the choice made in
/// `main` has to live here; nothing else reads or writes it.
private var selectedTarget: FuzzTarget?

@main
enum LibFuzzerHarness {
    static func main() {
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
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runLibFuzzerDriver(&argc, &argv) { data, size in
            guard let target = selectedTarget else { return 0 }
            if case let .finding(text) = target.run(UnsafeRawBufferPointer(start: data, count: size)) {
                fputs("loce-fuzz: finding in target \(target.name): \(text)\n", stderr)
                abort()  // libFuzzer saves the input as a crash reproducer
            }
            return 0
        })
    }
}
#endif
