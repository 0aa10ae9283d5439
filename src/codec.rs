//! Fieldless enums stored and sent as one `snake_case` word: the same word for serde,
//! `as_str`, `FromStr` and `Display`, so a database column, a JSON document and a log line
//! all agree.

/// Declares a fieldless enum whose every variant has one stable word.
///
/// Generates `ALL`, `as_str`, `parse` (refusing with `invalid_input` naming `$field`),
/// `Display`, `FromStr` and serde impls that use the same words.
macro_rules! word_enum {
    (
        $(#[$doc:meta])*
        $vis:vis enum $name:ident => $field:literal {
            $($(#[$vdoc:meta])* $variant:ident => $word:literal,)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($word),+].len()] = [$($name::$variant),+];

            /// The stable word: the same in JSON, in a database column and in `Display`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// Parses the stable word.
            ///
            /// # Errors
            ///
            #[doc = concat!("`invalid_input` for the field `", $field, "` when `text` is not one of the words.")]
            pub fn parse(text: &str) -> Result<Self, $crate::Error> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::Error::invalid(
                        $field,
                        concat!("is not one of ", $crate::codec::word_enum!(@list $($word),+)),
                    )),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;

            fn from_str(text: &str) -> Result<Self, $crate::Error> {
                Self::parse(text)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&text).map_err(::serde::de::Error::custom)
            }
        }
    };
    (@list $first:literal $(, $rest:literal)*) => {
        concat!($first $(, ", ", $rest)*)
    };
}

pub(crate) use word_enum;
