//! A throw-away Postfix on loopback, as a shop's mail provider runs it: STARTTLS on a
//! submission port and TLS from the first byte on an smtps port (a certificate of a throw-away
//! CA), SASL logins checked by the suite's Dovecot, and a recipient table that can greylist
//! (450) or refuse (550) an address. What it accepts it relays to an SMTP sink of its own.
//! Started as root (Postfix's master is); skipped elsewhere unless the suite requires it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{ImapServer, SmtpSink, eventually};

pub struct Postfix {
    pub submission_port: u16,
    pub smtps_port: u16,
    /// Where Postfix delivers what it accepted.
    pub relay: SmtpSink,
    dir: tempfile::TempDir,
    _dovecot: ImapServer,
}

/// The SASL user kept logs in as.
pub const USER: &str = "kept@fiets.test";
const POSTFIX: &str = "/usr/sbin/postfix";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Postfix {
    pub async fn start() -> Option<Postfix> {
        let required = std::env::var("KEPT_TEST_REQUIRE_POSTFIX").is_ok();
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        if !Path::new(POSTFIX).exists() || !root {
            assert!(
                !required,
                "KEPT_TEST_REQUIRE_POSTFIX is set but Postfix is missing or this is not root"
            );
            eprintln!("note: no Postfix (or not root); skipping a test through a real mail server");
            return None;
        }
        let dovecot = ImapServer::start().await.expect("Dovecot checks Postfix's SASL logins");
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["conf", "queue", "data"] {
            std::fs::create_dir(d.join(sub)).unwrap();
        }
        run(Command::new("chmod").arg("755").arg(d));
        run(Command::new("chown").arg("postfix").arg(d.join("data")));
        certificates(d);
        std::fs::write(d.join("access"), "").unwrap();
        let relay = SmtpSink::start();
        std::fs::write(d.join("conf/main.cf"), main_cf(d, relay.port, &dovecot.auth_socket())).unwrap();
        // A free port is free when asked for, not always when Postfix binds it a moment later
        // (another test may take it meanwhile): on "Address already in use", other ports.
        let mut attempt = 0;
        let (submission_port, smtps_port) = loop {
            attempt += 1;
            let ports = (free_port(), free_port());
            std::fs::write(d.join("conf/master.cf"), master_cf(ports.0, ports.1)).unwrap();
            let logged_before = std::fs::read_to_string(d.join("log")).unwrap_or_default().len();
            let started = Command::new(POSTFIX)
                .arg("-c")
                .arg(d.join("conf"))
                .arg("start")
                .output()
                .unwrap();
            if started.status.success() {
                break ports;
            }
            let log = std::fs::read_to_string(d.join("log")).unwrap_or_default();
            let this_time = log.get(logged_before..).unwrap_or_default();
            assert!(
                attempt < 5 && this_time.contains("Address already in use"),
                "postfix start: {} {} {}",
                String::from_utf8_lossy(&started.stdout),
                String::from_utf8_lossy(&started.stderr),
                log
            );
        };
        let postfix = Postfix {
            submission_port,
            smtps_port,
            relay,
            dir,
            _dovecot: dovecot,
        };
        eventually(20, "Postfix accepts connections", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", submission_port))
                .await
                .is_ok()
        })
        .await;
        Some(postfix)
    }

    /// `smtp://…?tls=required` (STARTTLS) or `smtps://…` with kept's SASL login.
    pub fn url(&self, smtps: bool) -> String {
        let user = USER.replace('@', "%40");
        let password = ImapServer::PASSWORD;
        match smtps {
            false => format!(
                "smtp://{user}:{password}@127.0.0.1:{}?tls=required",
                self.submission_port
            ),
            true => format!("smtps://{user}:{password}@127.0.0.1:{}", self.smtps_port),
        }
    }

    /// The throw-away CA kept must trust for this server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// What the server answers to these recipients from the next connection on (Postfix's
    /// `check_recipient_access`): the table is written and Postfix reloaded, so that no smtpd
    /// already waiting answers from the old one.
    pub async fn answer(&self, answers: &[(&str, &str)]) {
        let table: String = answers.iter().map(|(to, answer)| format!("{to} {answer}\n")).collect();
        std::fs::write(self.dir.path().join("access"), table).unwrap();
        let reloaded = || self.log().matches("reload -- version").count();
        let before = reloaded();
        run(Command::new(POSTFIX)
            .arg("-c")
            .arg(self.dir.path().join("conf"))
            .arg("reload"));
        eventually(20, "Postfix reloaded", || async { reloaded() > before }).await;
    }

    /// Postfix's own log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new(POSTFIX)
            .arg("-c")
            .arg(self.dir.path().join("conf"))
            .arg("stop")
            .output();
    }
}

/// A throw-away CA and a certificate it signed for 127.0.0.1 (webpki refuses a CA certificate
/// used as the server's own).
fn certificates(d: &Path) {
    let ext = d.join("ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(d));
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=kept test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "req.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "req.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

fn main_cf(d: &Path, relay_port: u16, auth_socket: &Path) -> String {
    let d = d.display();
    format!(
        "compatibility_level = 3.6\nqueue_directory = {d}/queue\ndata_directory = {d}/data\n\
         command_directory = /usr/sbin\ndaemon_directory = /usr/lib/postfix/sbin\nshlib_directory = /usr/lib/postfix\n\
         meta_directory = /etc/postfix\nmail_owner = postfix\nsetgid_group = postdrop\n\
         maillog_file_prefixes = {d}\nmaillog_file = {d}/log\n\
         myhostname = mx.fiets.test\nmydestination =\nmynetworks =\ninet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n\
         relayhost = [127.0.0.1]:{relay_port}\nsmtp_tls_security_level = none\nmax_use = 1\n\
         smtpd_tls_cert_file = {d}/cert.pem\nsmtpd_tls_key_file = {d}/key.pem\nsmtpd_tls_received_header = yes\n\
         smtpd_tls_auth_only = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = {auth}\n\
         smtpd_sasl_authenticated_header = yes\n\
         smtpd_relay_restrictions = permit_sasl_authenticated, reject\n\
         smtpd_recipient_restrictions = check_recipient_access texthash:{d}/access, permit_sasl_authenticated, reject\n",
        auth = auth_socket.display()
    )
}

fn master_cf(submission_port: u16, smtps_port: u16) -> String {
    let services = [
        "pickup unix n - n 60 1 pickup",
        "cleanup unix n - n - 0 cleanup",
        "qmgr unix n - n 300 1 qmgr",
        "tlsmgr unix - - n 1000? 1 tlsmgr",
        "rewrite unix - - n - - trivial-rewrite",
        "bounce unix - - n - 0 bounce",
        "defer unix - - n - 0 bounce",
        "trace unix - - n - 0 bounce",
        "verify unix - - n - 1 verify",
        "flush unix n - n 1000? 0 flush",
        "proxymap unix - - n - - proxymap",
        "smtp unix - - n - - smtp",
        "relay unix - - n - - smtp",
        "showq unix n - n - - showq",
        "error unix - - n - - error",
        "retry unix - - n - - error",
        "discard unix - - n - - discard",
        "local unix - n n - - local",
        "anvil unix - - n - 1 anvil",
        "scache unix - - n - 1 scache",
        "postlog unix-dgram n - n - 1 postlogd",
    ];
    format!(
        "127.0.0.1:{submission_port} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes\n\
         127.0.0.1:{smtps_port} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes\n{}\n",
        services.join("\n")
    )
}
