import Foundation

/// A semaphore with a millisecond bound, usable from plain threads.
public final class DispatchSemaphoreBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    public init() {}
    public func signal() { semaphore.signal() }
    public func wait(timeoutMs: Int) -> Bool {
        semaphore.wait(timeout: .now() + .milliseconds(timeoutMs)) == .success
    }
}

/// Monotonic milliseconds, for bounds and elapsed times.
public func monotonicMs() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000
}
