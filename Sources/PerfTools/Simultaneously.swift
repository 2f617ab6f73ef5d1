import Foundation

/// Runs `first` on a thread of its own while `second` runs on this one; both results, or the
/// first error. Each must bound its own work (agent calls and ChildProcess.run do): this
/// waits for `first` to return.
func simultaneously<A, B>(_ first: @escaping () throws -> A, _ second: () throws -> B) throws -> (A, B) {
    let box = SimultaneousBox<A>()
    let done = DispatchSemaphore(value: 0)
    Thread {
        box.result = Result { try first() }
        done.signal()
    }.start()
    let mine = Result { try second() }
    done.wait()
    return (try box.result!.get(), try mine.get())
}

private final class SimultaneousBox<T>: @unchecked Sendable { var result: Result<T, Error>? }
