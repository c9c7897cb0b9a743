import javax.naming.*; import javax.naming.directory.*; import java.util.*; import java.net.*;
public class T { public static void main(String[] a) throws Exception {
 Properties env = new Properties(); env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
 env.put(Context.PROVIDER_URL, "dns://127.0.0.1:25353");
 DirContext c = new InitialDirContext(env);
 System.out.println(c.getAttributes("tessera-headless.default.svc.cluster.local", new String[]{"A"}));
 System.out.println(c.getAttributes("_grid._tcp.tessera-headless.default.svc.cluster.local", new String[]{"SRV"}));
 try { System.out.println(c.getAttributes("nothing.default.svc.cluster.local", new String[]{"A"})); } catch (Exception e) { System.out.println(e); }
 for (String h : new String[]{"127.0.0.2.", "localhost.", "localhost"}) try { System.out.println(h + " " + Arrays.toString(InetAddress.getAllByName(h))); } catch (Exception e) { System.out.println(h+" "+e); }
}}
