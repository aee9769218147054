// The libm functions the loss kernels use, behind names that do not clash with Swift's.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@usableFromInline func lossExp(_ x: Float) -> Float { expf(x) }
@usableFromInline func lossLog(_ x: Float) -> Float { logf(x) }
@usableFromInline func lossLog1p(_ x: Float) -> Float { log1pf(x) }
