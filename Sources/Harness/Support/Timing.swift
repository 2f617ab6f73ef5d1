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

/// Hands a value from one thread to another.
final class LockedValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T? { lock.lock(); defer { lock.unlock() }; return value }
}

/// Monotonic milliseconds, for bounds and elapsed times.
public func monotonicMs() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000
}
