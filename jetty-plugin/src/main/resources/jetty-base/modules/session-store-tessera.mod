# Tessera session store for Jetty 12 (core, ee10 and ee11 session handlers).
# Install: copy this jar's jetty-base/ directory into ${jetty.base}, and put tessera-jetty-plugin, tessera-grid-core
# and their dependencies (jgroups, kryo, reflectasm, objenesis, minlog, caffeine, jspecify, error_prone_annotations)
# into ${jetty.base}/lib/tessera/. Then: java -jar $JETTY_HOME/start.jar --add-modules=session-store-tessera

[description]
Enables a session data store in a Tessera grid map: each Jetty node runs an embedded Tessera grid member, and the
nodes share their sessions through it. Give every node its own jetty.sessionIdManager.workerName.

[tags]
session

[provides]
session-store

[depend]
sessions

[lib]
lib/tessera/*.jar

[xml]
etc/sessions/tessera/session-store.xml

[ini-template]
## The cluster the embedded grid member joins; nodes with the same name share sessions.
#jetty.session.tessera.clusterName=tessera

## The JGroups stack: tcp (default), udp, kubernetes, or the path of a JGroups XML file.
#jetty.session.tessera.stack=tcp

## For the tcp stack: the comma-separated host:port grid members to contact (default: 127.0.0.1:7800..7810).
#jetty.session.tessera.members=

## The secret every grid member of the cluster shares (at least 16 characters; openssl rand -base64 32): members
## authenticate each other with it and encrypt their traffic. Empty: none. Every node needs the same one; a node with
## another secret, or none, is refused by the cluster and does not start.
#jetty.session.tessera.clusterSecret=

## The grid map holding the sessions of every context; the same on every node.
#jetty.session.tessera.mapName=jetty-sessions

## Backup copies of each session (0..6); the same on every node.
#jetty.session.tessera.backups=1

## How long a session that expired on another node waits before this node expires it (seconds).
#jetty.session.gracePeriod.seconds=3600

## Write a session whose attributes did not change at most this often (seconds; 0: at every request).
#jetty.session.savePeriod.seconds=0
