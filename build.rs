// The migrations are compiled into the app (`sqlx::migrate!`): a new or changed one must
// rebuild it, which cargo does not know by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
