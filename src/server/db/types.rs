//! The domain's closed vocabularies as SQL values: stored as their wire spelling in a
//! text column, read back through `FromStr`, so a row never carries a mode or channel
//! as a bare string and an unknown code in the database is an error, not a silent value.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

use crate::domain::{Channel, Mode};

macro_rules! text_code {
    ($($ty:ty),+ ; $db:ty) => {$(
        impl Type<$db> for $ty {
            fn type_info() -> <$db as Database>::TypeInfo {
                <&str as Type<$db>>::type_info()
            }
            fn compatible(ty: &<$db as Database>::TypeInfo) -> bool {
                <&str as Type<$db>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, $db> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <$db as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, $db>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        impl<'r> Decode<'r, $db> for $ty {
            fn decode(value: <$db as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, $db>>::decode(value)?;
                Ok(text.parse::<$ty>()?)
            }
        }
    )+};
}

text_code!(Mode, Channel; Sqlite);
text_code!(Mode, Channel; Postgres);
