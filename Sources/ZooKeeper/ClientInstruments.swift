import CoreMetrics
import Synchronization
import Tracing
import ZooKeeperProtocol

/// What a client reports to swift-metrics and swift-distributed-tracing: requests by opcode,
/// their latency and errors by code, requests outstanding, reconnections, session expiries and
/// watch events as metrics; a client span per request, with its opcode and path.
///
/// Each backend is looked up once, when the client is made; a client made while none is
/// bootstrapped has no instruments, and its request path pays one check of an optional.
final class ClientInstruments: Sendable {
    private let factory: (any MetricsFactory)?
    private let tracer: (any Tracer)?
    private let outstanding: Meter?
    private let reconnections: Counter?
    private let expiries: Counter?
    /// Metrics by opcode (and by opcode and error), made on first use.
    private let byOperation = Mutex<[OpCode: OperationMetrics]>([:])
    private let errors = Mutex<[ErrorKey: Counter]>([:])
    private let watchEvents = Mutex<[EventType: Counter]>([:])

    /// The instruments of the backends bootstrapped now (or bound to the current task with
    /// `withMetricsFactory` or `withTracer`), or nil when there are none.
    static func current() -> ClientInstruments? {
        let factory = MetricsSystem.factory
        let tracer = InstrumentationSystem.tracer
        let metered = !(factory is NOOPMetricsHandler)
        let traced = !(tracer is NoOpTracer)
        guard metered || traced else { return nil }
        return ClientInstruments(factory: metered ? factory : nil, tracer: traced ? tracer : nil)
    }

    private init(factory: (any MetricsFactory)?, tracer: (any Tracer)?) {
        self.factory = factory
        self.tracer = tracer
        outstanding = factory.map { Meter(label: ZooKeeperClient.MetricNames.outstandingRequests, factory: $0) }
        reconnections = factory.map { Counter(label: ZooKeeperClient.MetricNames.reconnections, factory: $0) }
        expiries = factory.map { Counter(label: ZooKeeperClient.MetricNames.sessionExpirations, factory: $0) }
    }

    /// Runs one request, measured and traced.
    func measure<Response>(
        _ opCode: OpCode, path: String?, _ request: () async throws -> Response
    ) async throws -> Response {
        let span = startSpan("ZooKeeper \(opCode)", opCode)
        if let path { span?.attributes["zookeeper.path"] = path }
        defer { span?.end() }
        let metrics = factory.map { operationMetrics(opCode, factory: $0) }
        metrics?.requests.increment()
        outstanding?.increment()
        defer { outstanding?.decrement() }
        let start = ContinuousClock.now
        do {
            let response = try await request()
            metrics?.latency.recordInterval(since: start)
            return response
        } catch {
            metrics?.latency.recordInterval(since: start)
            let code = (error as? ZooKeeperError)?.code
            if let code, let factory { errorCounter(opCode, code, factory: factory).increment() }
            span?.attributes["zookeeper.error_code"] = code.map { "\($0)" }
            span?.recordError(error)
            throw error
        }
    }

    /// Runs a batch call's requests (one kind, sent back to back), traced as one span that
    /// names how many there were: each request counts as a request, each that failed as an error
    /// of its code; the batch's duration is one latency sample.
    func measureBatch<Response>(
        _ opCode: OpCode, count: Int, _ batch: () async throws -> [Result<Response, ZooKeeperError>]
    ) async throws -> [Result<Response, ZooKeeperError>] {
        let span = startSpan("ZooKeeper \(opCode) batch", opCode)
        span?.attributes["zookeeper.batch_size"] = count
        defer { span?.end() }
        let metrics = factory.map { operationMetrics(opCode, factory: $0) }
        metrics?.requests.increment(by: count)
        outstanding?.increment(by: Double(count))
        defer { outstanding?.decrement(by: Double(count)) }
        let start = ContinuousClock.now
        defer { metrics?.latency.recordInterval(since: start) }
        do {
            let results = try await batch()
            var failed = 0
            for case .failure(let error) in results {
                failed += 1
                if let factory { errorCounter(opCode, error.code, factory: factory).increment() }
            }
            if failed > 0 { span?.attributes["zookeeper.failed"] = failed }
            return results
        } catch {
            span?.recordError(error)
            throw error
        }
    }

    /// A client span under the calling task's, with the attributes every request's span has.
    private func startSpan(
        _ name: String, _ opCode: OpCode, function: String = #function, file: String = #fileID, line: UInt = #line
    ) -> (any Tracing.Span)? {
        let span = tracer?.startSpan(
            name, context: .current ?? .topLevel, ofKind: .client, at: DefaultTracerClock.now,
            function: function, file: file, line: line)
        span?.attributes["db.system.name"] = "zookeeper"
        span?.attributes["zookeeper.opcode"] = "\(opCode)"
        return span
    }

    /// A session was re-established after a connection was lost.
    func reconnected() { reconnections?.increment() }

    /// The server expired the session.
    func sessionExpired() { expiries?.increment() }

    /// A watch event arrived.
    func watchEvent(_ type: EventType) {
        guard let factory else { return }
        let counter = watchEvents.withLock { counters in
            if let counter = counters[type] { return counter }
            let counter = Counter(
                label: ZooKeeperClient.MetricNames.watchEvents, dimensions: [("type", "\(type)")], factory: factory)
            counters[type] = counter
            return counter
        }
        counter.increment()
    }

    private func operationMetrics(_ opCode: OpCode, factory: any MetricsFactory) -> OperationMetrics {
        byOperation.withLock { metrics in
            if let known = metrics[opCode] { return known }
            let made = OperationMetrics(opCode, factory: factory)
            metrics[opCode] = made
            return made
        }
    }

    private func errorCounter(_ opCode: OpCode, _ code: ErrorCode, factory: any MetricsFactory) -> Counter {
        errors.withLock { counters in
            let key = ErrorKey(opCode: opCode, code: code)
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: ZooKeeperClient.MetricNames.errors, dimensions: [("opcode", "\(opCode)"), ("code", "\(code)")],
                factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private struct OperationMetrics: Sendable {
        let requests: Counter
        let latency: Timer

        init(_ opCode: OpCode, factory: any MetricsFactory) {
            let dimensions = [("opcode", "\(opCode)")]
            requests = Counter(label: ZooKeeperClient.MetricNames.requests, dimensions: dimensions, factory: factory)
            latency = Timer(
                label: ZooKeeperClient.MetricNames.requestDuration, dimensions: dimensions,
                preferredDisplayUnit: .seconds,
                factory: factory)
        }
    }

    private struct ErrorKey: Hashable {
        let opCode: OpCode
        let code: ErrorCode
    }
}

extension Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
