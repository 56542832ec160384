package io.relais.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Runs an action when the process receives SIGHUP ({@code kill -HUP PID}), as daemons reload their
 * certificates. The signal is caught with {@code sun.misc.Signal} of the {@code jdk.unsupported} module, by
 * reflection: javac warns about every direct use of it, and the build treats warnings as errors. The action
 * runs on a thread of its own, never on the JVM's signal thread or a network loop; signals that arrive while
 * it runs are run after it, one at a time.
 *
 * <p>Thread-safe; install once.
 */
final class ReloadSignal {
    private ReloadSignal() {
    }

    /** Runs {@code action} on each SIGHUP; returns false (and prints why) where the JVM offers no SIGHUP. */
    static boolean onHangUp(Runnable action) {
        ThreadFactory daemon = r -> {
            Thread t = new Thread(r, "relais-sighup");
            t.setDaemon(true);
            return t;
        };
        var worker = Executors.newSingleThreadExecutor(daemon);
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    worker.execute(action);
                    return null;
                }
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "relais SIGHUP handler";
                };
            };
            Object handler = Proxy.newProxyInstance(ReloadSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
            worker.shutdown();
            System.err.println("relais: SIGHUP cannot be caught here, so TLS certificates cannot be reloaded by it: "
                    + e);
            return false;
        }
    }
}
