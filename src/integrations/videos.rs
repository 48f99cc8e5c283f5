//! The newsroom's videos: its YouTube channel's Atom feed (no API key) and
//! TikTok videos through oEmbed. Only ids, titles and dates are kept; the
//! site builds its own click-to-load players from the ids.

use crate::store::{Video, VideoProvider};

pub use super::SendError;

const ATOM: &str = "http://www.w3.org/2005/Atom";
const YT: &str = "http://www.youtube.com/xml/schemas/2015";
const MEDIA: &str = "http://search.yahoo.com/mrss/";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FeedError(String);

/// Parses a channel feed into videos, newest first as YouTube lists them.
pub fn parse_youtube_feed(xml: &str) -> Result<Vec<Video>, FeedError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| FeedError(format!("not XML: {e}")))?;
    let root = doc.root_element();
    if !root.has_tag_name((ATOM, "feed")) {
        return Err(FeedError("not an Atom feed".into()));
    }
    let child_text = |node: roxmltree::Node, ns: &str, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((ns, name)))
            .and_then(|c| c.text())
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let mut videos = Vec::new();
    for entry in root.children().filter(|c| c.has_tag_name((ATOM, "entry"))) {
        let video_id = child_text(entry, YT, "videoId");
        let valid_id = video_id.len() == 11
            && video_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_id {
            continue;
        }
        let published =
            jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", child_text(entry, ATOM, "published"))
                .or_else(|_| child_text(entry, ATOM, "published").parse::<jiff::Timestamp>())
                .map_err(|_| FeedError(format!("video {video_id} has no valid published date")))?;
        let author = entry
            .children()
            .find(|c| c.has_tag_name((ATOM, "author")))
            .map(|a| child_text(a, ATOM, "name"))
            .unwrap_or_default();
        let thumbnail = entry
            .descendants()
            .find(|c| c.has_tag_name((MEDIA, "thumbnail")))
            .and_then(|t| t.attribute("url"))
            .filter(|u| u.starts_with("https://"))
            .map(str::to_owned);
        videos.push(Video {
            provider: VideoProvider::Youtube,
            url: format!("https://www.youtube.com/watch?v={video_id}"),
            video_id,
            title: child_text(entry, ATOM, "title"),
            author,
            thumbnail_url: thumbnail,
            published_at: published.as_second(),
        });
    }
    Ok(videos)
}

/// `GET {base}/feeds/videos.xml?channel_id=…`.
pub async fn fetch_youtube_channel(
    http: &reqwest::Client,
    base: &str,
    channel_id: &str,
) -> Result<Vec<Video>, SendError> {
    let response = http
        .get(format!("{base}/feeds/videos.xml"))
        .query(&[("channel_id", channel_id)])
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("YouTube unreachable: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(SendError::from_status(
            status,
            format!("YouTube feed: {status}"),
        ));
    }
    let bytes = super::http::read_capped(response, super::http::MAX_PROVIDER_BYTES)
        .await
        .map_err(|e| SendError::Transient(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    parse_youtube_feed(&text).map_err(|e| SendError::Permanent(format!("YouTube feed: {e}")))
}

/// `GET {base}/oembed?url=…` for one TikTok video.
pub async fn fetch_tiktok(
    http: &reqwest::Client,
    base: &str,
    video_url: &str,
    now: i64,
) -> Result<Video, SendError> {
    let video_id = video_url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && id.len() <= 25 && id.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| SendError::Permanent(format!("not a TikTok video URL: {video_url}")))?
        .to_owned();
    let response = http
        .get(format!("{base}/oembed"))
        .query(&[("url", video_url)])
        .send()
        .await
        .map_err(|e| SendError::Transient(format!("TikTok unreachable: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(SendError::from_status(
            status,
            format!("TikTok oEmbed {video_url}: {status}"),
        ));
    }
    let body = super::http::json_capped(response, super::http::MAX_PROVIDER_BYTES)
        .await
        .map_err(|e| SendError::Transient(format!("TikTok oEmbed: {e}")))?;
    if body.is_null() {
        return Err(SendError::Permanent("TikTok oEmbed: not JSON".into()));
    }
    if body["type"].as_str() != Some("video") {
        return Err(SendError::Permanent("TikTok oEmbed: not a video".into()));
    }
    let text = |key: &str| body[key].as_str().unwrap_or("").trim().to_owned();
    Ok(Video {
        provider: VideoProvider::Tiktok,
        video_id,
        url: video_url.to_owned(),
        title: text("title"),
        author: text("author_name"),
        thumbnail_url: Some(text("thumbnail_url")).filter(|u| u.starts_with("https://")),
        // oEmbed has no date: a video appears when the newsroom adds it.
        published_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = include_str!("../../tests/fixtures/youtube_channel.xml");

    #[test]
    fn reads_a_channel_feed() {
        let videos = parse_youtube_feed(FEED).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(videos.len(), 2, "the entry with a bad id is skipped");
        assert_eq!(videos[0].video_id, "aBcDeFgHiJk");
        assert_eq!(videos[0].title, "Як працює пункт незламності");
        assert_eq!(videos[0].author, "Newsroom");
        assert_eq!(
            videos[0].thumbnail_url.as_deref(),
            Some("https://i2.ytimg.com/vi/aBcDeFgHiJk/hqdefault.jpg")
        );
        assert_eq!(videos[0].published_at, 1_795_584_000);
        assert_eq!(videos[1].url, "https://www.youtube.com/watch?v=Zyx-_987654");
        assert!(parse_youtube_feed("<rss/>").is_err());
        assert!(parse_youtube_feed("not xml").is_err());
    }
}
