//! A browser-like client for the staff pages: cookies kept by hand, redirects not followed.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

use super::{PASSWORD, TestServer};

/// A browser-like client that keeps cookies by hand and does not follow redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub cookies: Vec<String>,
    /// Sent as `X-Forwarded-For`, as a proxy in front of kept would.
    pub forwarded_for: Option<String>,
}

impl Browser {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            http,
            cookies: Vec::new(),
            forwarded_for: None,
        }
    }

    fn remember(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.cookies.push(pair);
            }
        }
    }

    pub async fn get(&mut self, url: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(url)
            .header(COOKIE, self.cookies.join("; "))
            .header("x-forwarded-for", self.forwarded_for.clone().unwrap_or_default())
            .send()
            .await
            .unwrap();
        self.remember(&response);
        (response.status(), response.text().await.unwrap())
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let response = self
            .http
            .post(url)
            .header(COOKIE, self.cookies.join("; "))
            .header("x-forwarded-for", self.forwarded_for.clone().unwrap_or_default())
            .form(form)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }
}

impl Browser {
    /// A form with a file, as a browser sends `enctype="multipart/form-data"`.
    pub async fn post_multipart(&mut self, url: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        let response = self
            .http
            .post(url)
            .header(COOKIE, self.cookies.join("; "))
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }
}

pub fn hidden_csrf(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[start..].split('"').next().unwrap().to_string()
}

pub async fn logged_in(server: &TestServer, email: &str) -> (Browser, String) {
    let mut browser = Browser::new();
    let (_, login) = browser.get(&server.url("/login")).await;
    let response = browser
        .post(
            &server.url("/login"),
            &[("email", email), ("password", PASSWORD), ("csrf", &hidden_csrf(&login))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, dashboard) = browser.get(&server.url("/staff")).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden_csrf(&dashboard);
    (browser, csrf)
}
