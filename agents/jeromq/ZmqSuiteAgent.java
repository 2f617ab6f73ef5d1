// zmqsuite agent for JeroMQ (agents/PROTOCOL.md, version 2): JSON lines on stdin/stdout, through JeroMQ's
// low-level zmq.ZMQ API (which mirrors libzmq's C API) and Gson. Built by scripts/setup.
//
// JeroMQ 0.3.6 has no socket monitor, no ZAP, no CURVE and no STREAM socket: hello leaves
// them out, so zmqsuite reports the cases that need them as UNSUPPORTED.

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import zmq.Ctx;
import zmq.Msg;
import zmq.PollItem;
import zmq.SocketBase;
import zmq.ZMQ;

public class ZmqSuiteAgent {
    static final String[] TYPES = {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM"};
    /** The option names of the protocol; hello lists those JeroMQ 0.3.6 has. */
    static final String[] OPTION_NAMES = {"affinity", "routing_id", "subscribe", "unsubscribe", "rate", "recovery_ivl", "sndbuf",
        "rcvbuf", "rcvmore", "events", "type", "linger", "reconnect_ivl", "backlog", "reconnect_ivl_max", "maxmsgsize", "sndhwm",
        "rcvhwm", "multicast_hops", "rcvtimeo", "sndtimeo", "last_endpoint", "router_mandatory", "tcp_keepalive", "immediate",
        "xpub_verbose", "router_raw", "mechanism", "plain_server", "plain_username", "plain_password", "curve_server",
        "curve_publickey", "curve_secretkey", "curve_serverkey", "probe_router", "req_correlate", "req_relaxed", "conflate",
        "zap_domain", "router_handover", "connect_routing_id", "handshake_ivl", "xpub_nodrop", "xpub_manual", "xpub_welcome_msg",
        "stream_notify", "invert_matching", "heartbeat_ivl", "heartbeat_ttl", "heartbeat_timeout", "xpub_verboser",
        "connect_timeout", "thread_safe", "zap_enforce_domain", "router_notify", "ipv4only", "xsub_verbose_unsubscribe"};
    static final Set<String> TEXT_OPTIONS = Set.of("last_endpoint", "plain_username", "plain_password", "zap_domain");
    static final Set<String> LONG_OPTIONS = Set.of("maxmsgsize", "affinity");

    /** An errno from the implementation, answered by name. */
    static class ZmqError extends Exception {
        final String name;
        ZmqError(String name, String message) { super(message); this.name = name; }
    }

    /** A bad request: answered with error PROTOCOL. */
    static class ProtocolError extends Exception {
        ProtocolError(String message) { super(message); }
    }

    static class Session {
        final Ctx ctx = ZMQ.createContext();
        final Set<Integer> sockets = new HashSet<>();
    }

    final Map<Integer, Session> sessions = new HashMap<>();
    final Map<Integer, SocketBase> sockets = new HashMap<>();
    final Map<Integer, Map<String, Integer>> userTimeouts = new HashMap<>();
    int next = 1;

    /** JeroMQ's errno numbers are its own (BSD-like: EAGAIN is 35); their names are in zmq.ZError. */
    static String errnoName(int code) {
        for (Field f : zmq.ZError.class.getFields()) {
            if (f.getType() == int.class && f.getName().startsWith("E")) {
                try {
                    if (f.getInt(null) == code) return f.getName();
                } catch (IllegalAccessException ignored) { }
            }
        }
        return code == 0 ? "NO_ERRNO" : "errno " + code;
    }

    static ZmqError failure(SocketBase s, String op) {
        int code = s.errno();
        return new ZmqError(errnoName(code), op + ": " + ZMQ.strerror(code));
    }

    static int optionConstant(String name) throws ZmqError {
        String field = "ZMQ_" + name.toUpperCase();
        if (name.equals("routing_id")) field = "ZMQ_IDENTITY";
        if (name.equals("immediate")) field = "ZMQ_DELAY_ATTACH_ON_CONNECT";
        try {
            return ZMQ.class.getField(field).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new ZmqError("EINVAL", "JeroMQ has no option " + name);
        }
    }

    static int socketType(String name) throws ProtocolError {
        try {
            return ZMQ.class.getField("ZMQ_" + name).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new ProtocolError("unknown socket type " + name);
        }
    }

    static int integer(JsonObject r, String key) throws ProtocolError {
        if (!r.has(key) || !r.get(key).isJsonPrimitive()) throw new ProtocolError("missing integer '" + key + "'");
        return r.get(key).getAsInt();
    }

    static String string(JsonObject r, String key) throws ProtocolError {
        if (!r.has(key) || !r.get(key).isJsonPrimitive()) throw new ProtocolError("missing string '" + key + "'");
        return r.get(key).getAsString();
    }

    SocketBase socket(JsonObject r) throws ProtocolError {
        SocketBase s = sockets.get(integer(r, "socket"));
        if (s == null) throw new ProtocolError("unknown socket");
        return s;
    }

    Session session(JsonObject r) throws ProtocolError {
        Session s = sessions.get(integer(r, "session"));
        if (s == null) throw new ProtocolError("unknown session");
        return s;
    }

    int bounded(JsonObject r, String option, int timeoutMs) throws ProtocolError {
        Integer user = userTimeouts.getOrDefault(integer(r, "socket"), Map.of()).get(option);
        return (user != null && user >= 0) ? Math.min(user, timeoutMs) : timeoutMs;
    }

    // --- operations ------------------------------------------------------------------

    JsonObject hello() {
        JsonObject caps = new JsonObject();
        JsonArray types = new JsonArray();
        JsonArray transports = new JsonArray();
        JsonObject carried = new JsonObject();
        Ctx ctx = ZMQ.createContext();
        for (String t : TYPES) {
            try {
                SocketBase s = ZMQ.socket(ctx, socketType(t));
                if (s != null) { types.add(t); ZMQ.close(s); }
            } catch (Exception ignored) { }
        }
        String[][] probes = {{"tcp", "tcp://127.0.0.1:*"}, {"tcp6", "tcp://[::1]:*"}, {"ipc", "ipc:///tmp/zmqsuite-jeromq-probe-" + ProcessHandle.current().pid()},
                             {"inproc", "inproc://probe"}};
        for (String[] p : probes) {
            try {
                SocketBase s = ZMQ.socket(ctx, ZMQ.ZMQ_PAIR);
                if (p[0].equals("tcp6")) ZMQ.setSocketOption(s, ZMQ.ZMQ_IPV4ONLY, 0);
                if (ZMQ.bind(s, p[1])) {
                    transports.add(p[0]);
                    // Whether ipc is a Unix socket: a peer speaking ipc itself needs the file.
                    if (p[0].equals("ipc") && !java.nio.file.Files.exists(java.nio.file.Path.of(p[1].substring("ipc://".length())))) {
                        carried.addProperty("ipc", "bound " + p[1] + " (LAST_ENDPOINT " + ZMQ.getSocketOptionExt(s, ZMQ.ZMQ_LAST_ENDPOINT)
                            + ") and no file exists at that path");
                    }
                }
                ZMQ.setSocketOption(s, ZMQ.ZMQ_LINGER, 0);
                ZMQ.close(s);
            } catch (Exception ignored) { }
        }
        ZMQ.term(ctx);
        caps.add("socket_types", types);
        caps.add("transports", transports);
        if (carried.size() > 0) caps.add("carried_transports", carried);
        JsonArray mechanisms = new JsonArray();
        mechanisms.add("NULL");
        caps.add("mechanisms", mechanisms);
        JsonArray features = new JsonArray();
        features.add("recv_frame");
        features.add("perf");
        caps.add("features", features);
        JsonArray options = new JsonArray();
        for (String name : OPTION_NAMES) {
            try {
                optionConstant(name);
                options.add(name);
            } catch (ZmqError absent) { }
        }
        options.add("ipv6");  // as IPV4ONLY inverted
        caps.add("options", options);
        JsonObject out = new JsonObject();
        out.addProperty("name", "jeromq");
        Package pkg = ZMQ.class.getPackage();
        out.addProperty("version", pkg.getImplementationVersion() != null ? pkg.getImplementationVersion() : "0.3.6");
        out.addProperty("library", ZMQ.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        out.addProperty("protocol", 2);
        out.add("capabilities", caps);
        return out;
    }

    /** Binds and returns the real endpoint. JeroMQ 0.3.6 does not resolve a wildcard tcp port
     *  (LAST_ENDPOINT says :0); its own way is bindToRandomPort, which tries ports of the
     *  dynamic range: do the same. */
    static String bindResolved(SocketBase s, String endpoint) throws ZmqError {
        if (endpoint.startsWith("tcp://") && endpoint.endsWith(":*")) {
            String host = endpoint.substring(0, endpoint.length() - 1);
            java.util.Random random = new java.util.Random();
            for (int i = 0; i < 100; i++) {
                String candidate = host + (49152 + random.nextInt(65535 - 49152));
                if (ZMQ.bind(s, candidate)) return candidate;
            }
            throw failure(s, "bind");
        }
        if (!ZMQ.bind(s, endpoint)) throw failure(s, "bind");
        return String.valueOf(ZMQ.getSocketOptionExt(s, ZMQ.ZMQ_LAST_ENDPOINT));
    }

    /** The perf op: both ends of a measurement as threads of this agent, JeroMQ's own loops. */
    JsonObject perf(JsonObject r) throws Exception {
        String kind = string(r, "kind");
        int size = integer(r, "size"), count = integer(r, "count");
        int warmup = r.has("warmup") ? integer(r, "warmup") : 0;
        int first = socketType(string(r, "first")), second = socketType(string(r, "second"));
        boolean latency = kind.equals("latency");
        if (!latency && !kind.equals("throughput")) throw new ProtocolError("perf kind must be latency or throughput");
        Ctx ctx = ZMQ.createContext();
        SocketBase peer = ZMQ.socket(ctx, second);
        ZMQ.setSocketOption(peer, ZMQ.ZMQ_LINGER, 2000);
        ZMQ.setSocketOption(peer, ZMQ.ZMQ_RCVTIMEO, 10000);
        if (!latency) ZMQ.setSocketOption(peer, ZMQ.ZMQ_RCVHWM, 0);
        if (second == ZMQ.ZMQ_SUB) ZMQ.setSocketOption(peer, ZMQ.ZMQ_SUBSCRIBE, new byte[0]);
        String endpoint = bindResolved(peer, string(r, "endpoint"));
        long[] elapsed = {0};
        int[] received = {0};
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        Thread far = new Thread(() -> {
            if (latency) {
                for (int i = 0; i < warmup + count; i++) {
                    while (true) {
                        Msg m = ZMQ.recv(peer, 0);
                        if (m == null) return;
                        boolean more = m.hasMore();
                        byte[] d = m.data() == null ? new byte[0] : m.data();
                        if (ZMQ.send(peer, d, d.length, more ? ZMQ.ZMQ_SNDMORE : 0) < 0) return;
                        if (!more) break;
                    }
                }
            } else {
                long start = 0;
                boolean firstFrame = true;
                while (received[0] < count) {
                    Msg m = ZMQ.recv(peer, 0);
                    if (m == null) return;
                    boolean more = m.hasMore();
                    if (!more && firstFrame && m.size() == 0) { subscribed.countDown(); continue; }  // a PUB's probe
                    firstFrame = !more;
                    if (more) continue;
                    if (received[0] == 0) start = System.nanoTime();
                    received[0]++;
                }
                elapsed[0] = System.nanoTime() - start;
            }
        });
        far.start();
        SocketBase near = ZMQ.socket(ctx, first);
        ZMQ.setSocketOption(near, ZMQ.ZMQ_LINGER, latency ? 0 : -1);
        ZMQ.setSocketOption(near, ZMQ.ZMQ_RCVTIMEO, 10000);
        if (!latency) ZMQ.setSocketOption(near, ZMQ.ZMQ_SNDHWM, 0);
        JsonObject out = new JsonObject();
        try {
            if (!ZMQ.connect(near, endpoint)) throw failure(near, "connect");
            byte[] payload = new byte[size];
            if (latency) {
                JsonArray samples = new JsonArray();
                for (int i = 0; i < warmup + count; i++) {
                    long t0 = System.nanoTime();
                    if (ZMQ.send(near, payload, size, 0) < 0) throw failure(near, "send");
                    if (ZMQ.recv(near, 0) == null) throw failure(near, "recv");
                    if (i >= warmup) samples.add(System.nanoTime() - t0);
                }
                out.add("samples_ns", samples);
            } else {
                if (first == ZMQ.ZMQ_PUB || first == ZMQ.ZMQ_XPUB) {
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (!subscribed.await(1, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        if (System.nanoTime() > deadline) throw new ZmqError("EAGAIN", "the subscription did not reach the PUB within 10 s");
                        ZMQ.send(near, new byte[0], 0, ZMQ.ZMQ_DONTWAIT);
                    }
                }
                for (int i = 0; i < count; i++) {
                    if (ZMQ.send(near, payload, size, 0) < 0) throw failure(near, "send");
                }
            }
        } finally {
            far.join(15000);
            ZMQ.close(near);
            ZMQ.setSocketOption(peer, ZMQ.ZMQ_LINGER, 0);
            ZMQ.close(peer);
            ZMQ.term(ctx);
        }
        if (!latency) {
            out.addProperty("elapsed_ns", elapsed[0]);
            out.addProperty("received", received[0]);
        }
        return out;
    }

    JsonObject perform(JsonObject r) throws Exception {
        String op = string(r, "op");
        JsonObject out = new JsonObject();
        switch (op) {
            case "hello":
                return hello();
            case "perf":
                return perf(r);
            case "session_open": {
                int id = next++;
                sessions.put(id, new Session());
                out.addProperty("session", id);
                return out;
            }
            case "session_close": {
                Session s = session(r);
                for (int h : s.sockets) {
                    SocketBase sock = sockets.remove(h);
                    if (sock != null) {
                        try { ZMQ.setSocketOption(sock, ZMQ.ZMQ_LINGER, 0); ZMQ.close(sock); } catch (Exception ignored) { }
                    }
                }
                ZMQ.term(s.ctx);
                sessions.remove(integer(r, "session"));
                out.addProperty("clean", true);
                return out;
            }
            case "socket": {
                Session s = session(r);
                SocketBase sock = ZMQ.socket(s.ctx, socketType(string(r, "type")));
                if (sock == null) throw new ZmqError("EINVAL", "cannot create " + string(r, "type"));
                int h = next++;
                sockets.put(h, sock);
                s.sockets.add(h);
                out.addProperty("socket", h);
                return out;
            }
            case "set": {
                SocketBase s = socket(r);
                String name = string(r, "option");
                JsonElement v = r.get("value");
                if (name.equals("ipv6") && v != null && v.isJsonPrimitive()) {
                    // JeroMQ 0.3.6 names it the other way round: IPV4ONLY.
                    name = "ipv4only";
                    v = new JsonPrimitive(v.getAsInt() != 0 ? 0 : 1);
                }
                int option = optionConstant(name);
                Object value;
                if (v != null && v.isJsonObject() && v.getAsJsonObject().has("base64")) {
                    value = Base64.getDecoder().decode(v.getAsJsonObject().get("base64").getAsString());
                } else if (v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
                    value = LONG_OPTIONS.contains(name) ? (Object) v.getAsLong() : (Object) v.getAsInt();
                } else if (v != null && v.isJsonPrimitive()) {
                    value = TEXT_OPTIONS.contains(name) ? v.getAsString() : (Object) v.getAsString().getBytes(StandardCharsets.UTF_8);
                } else {
                    throw new ProtocolError("bad option value");
                }
                try {
                    ZMQ.setSocketOption(s, option, value);
                } catch (IllegalArgumentException | ClassCastException e) {
                    throw new ZmqError("EINVAL", name + ": " + e);
                }
                if ((name.equals("rcvtimeo") || name.equals("sndtimeo")) && value instanceof Integer) {
                    userTimeouts.computeIfAbsent(integer(r, "socket"), k -> new HashMap<>()).put(name, (Integer) value);
                }
                return out;
            }
            case "get": {
                SocketBase s = socket(r);
                String name = string(r, "option");
                Object v = ZMQ.getSocketOptionExt(s, optionConstant(name));
                if (v instanceof byte[]) {
                    JsonObject b = new JsonObject();
                    b.addProperty("base64", Base64.getEncoder().encodeToString((byte[]) v));
                    out.add("value", b);
                } else if (v instanceof Number) {
                    out.addProperty("value", ((Number) v).longValue());
                } else if (v instanceof Boolean) {
                    out.addProperty("value", ((Boolean) v) ? 1 : 0);
                } else {
                    out.addProperty("value", String.valueOf(v));
                }
                return out;
            }
            case "bind": {
                out.addProperty("endpoint", bindResolved(socket(r), string(r, "endpoint")));
                return out;
            }
            case "connect": {
                SocketBase s = socket(r);
                if (!ZMQ.connect(s, string(r, "endpoint"))) throw failure(s, "connect");
                return out;
            }
            case "disconnect": {
                SocketBase s = socket(r);
                if (!ZMQ.disconnect(s, string(r, "endpoint"))) throw failure(s, "disconnect");
                return out;
            }
            case "unbind": {
                SocketBase s = socket(r);
                if (!ZMQ.unbind(s, string(r, "endpoint"))) throw failure(s, "unbind");
                return out;
            }
            case "send": {
                SocketBase s = socket(r);
                JsonArray frames = r.getAsJsonArray("frames");
                if (frames == null) throw new ProtocolError("missing frames");
                boolean dontwait = r.has("dontwait") && r.get("dontwait").getAsBoolean();
                if (!dontwait) ZMQ.setSocketOption(s, ZMQ.ZMQ_SNDTIMEO, bounded(r, "sndtimeo", integer(r, "timeout_ms")));
                int n = Math.max(1, frames.size());
                for (int i = 0; i < n; i++) {
                    byte[] data = frames.size() == 0 ? new byte[0] : Base64.getDecoder().decode(frames.get(i).getAsString());
                    int flags = (dontwait ? ZMQ.ZMQ_DONTWAIT : 0) | (i < n - 1 ? ZMQ.ZMQ_SNDMORE : 0);
                    if (ZMQ.send(s, data, data.length, flags) < 0) throw failure(s, "send");
                }
                return out;
            }
            case "recv": {
                SocketBase s = socket(r);
                ZMQ.setSocketOption(s, ZMQ.ZMQ_RCVTIMEO, bounded(r, "rcvtimeo", integer(r, "timeout_ms")));
                JsonArray frames = new JsonArray();
                while (true) {
                    Msg m = ZMQ.recv(s, frames.size() == 0 ? 0 : ZMQ.ZMQ_DONTWAIT);
                    if (m == null) throw failure(s, "recv");
                    frames.add(Base64.getEncoder().encodeToString(m.data() == null ? new byte[0] : m.data()));
                    if (!m.hasMore()) break;
                }
                out.add("frames", frames);
                out.add("properties", new JsonObject());
                return out;
            }
            case "recv_frame": {
                SocketBase s = socket(r);
                ZMQ.setSocketOption(s, ZMQ.ZMQ_RCVTIMEO, bounded(r, "rcvtimeo", integer(r, "timeout_ms")));
                Msg m = ZMQ.recv(s, 0);
                if (m == null) throw failure(s, "recv_frame");
                JsonArray frames = new JsonArray();
                frames.add(Base64.getEncoder().encodeToString(m.data() == null ? new byte[0] : m.data()));
                out.add("frames", frames);
                out.addProperty("more", m.hasMore());
                return out;
            }
            case "poll": {
                JsonArray items = r.getAsJsonArray("items");
                if (items == null) throw new ProtocolError("items must be a list");
                PollItem[] list = new PollItem[items.size()];
                for (int i = 0; i < items.size(); i++) {
                    JsonObject item = items.get(i).getAsJsonObject();
                    int ops = 0;
                    for (JsonElement e : item.getAsJsonArray("events")) {
                        ops |= e.getAsString().equals("out") ? ZMQ.ZMQ_POLLOUT : ZMQ.ZMQ_POLLIN;
                    }
                    list[i] = new PollItem(socket(item), ops);
                }
                ZMQ.poll(list, integer(r, "timeout_ms"));
                JsonArray revents = new JsonArray();
                for (PollItem p : list) {
                    JsonArray got = new JsonArray();
                    if (p.isReadable()) got.add("in");
                    if (p.isWritable()) got.add("out");
                    revents.add(got);
                }
                out.add("revents", revents);
                return out;
            }
            case "close": {
                ZMQ.close(socket(r));
                return out;
            }
            case "monitor": case "next_event": case "curve_keypair": case "zap": case "zap_requests":
            case "proxy": case "proxy_wait": case "recv_until_shutdown":
            case "join": case "leave": case "send_draft": case "recv_draft": case "connect_peer":
                throw new ZmqError("NOT_IMPLEMENTED", op + " is not available in JeroMQ 0.3.6");
            default:
                throw new ProtocolError("unknown op '" + op + "'");
        }
    }

    JsonObject handle(String line) {
        JsonObject reply;
        JsonElement id = JsonNull.INSTANCE;
        try {
            JsonElement parsed = JsonParser.parseString(line);
            if (!parsed.isJsonObject()) throw new ProtocolError("not a JSON object");
            JsonObject r = parsed.getAsJsonObject();
            if (r.has("id")) id = r.get("id");
            try {
                reply = perform(r);
            } catch (IllegalArgumentException e) {
                // JeroMQ reports some errors as exceptions rather than errno: translate them.
                throw new ZmqError("EINVAL", e.toString());
            } catch (IllegalStateException e) {
                throw new ZmqError("EFSM", e.toString());
            } catch (UnsupportedOperationException e) {
                String op = r.has("op") ? r.get("op").getAsString() : "";
                throw new ZmqError(op.equals("bind") || op.equals("connect") ? "EPROTONOSUPPORT" : "ENOTSUP", e.toString());
            }
            reply.addProperty("ok", true);
        } catch (ZmqError e) {
            reply = new JsonObject();
            reply.addProperty("ok", false);
            reply.addProperty("error", e.name);
            reply.addProperty("message", e.getMessage());
        } catch (Throwable e) {  // an agent answers every request; it never dies of one
            reply = new JsonObject();
            reply.addProperty("ok", false);
            reply.addProperty("error", "PROTOCOL");
            reply.addProperty("message", e.toString());
        }
        reply.add("id", id);
        return reply;
    }

    public static void main(String[] args) throws Exception {
        ZmqSuiteAgent agent = new ZmqSuiteAgent();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            out.println(agent.handle(line));
            out.flush();
        }
        System.exit(0);
    }
}
